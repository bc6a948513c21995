"""Tendering services (writes), one module per stage; import from here."""

from .bond_imports import bank_statement_import
from .bonds import bond_guarantee_submit, bond_status
from .projects import (
    fair_findings_acknowledge,
    lot_clarify,
    lot_publish,
    lot_schedule,
    project_accept,
    project_register,
    project_return,
)
from .signup import signup_create
from .tender_documents import document_download, lot_document_add

__all__ = [
    "bank_statement_import", "bond_guarantee_submit", "bond_status", "document_download", "fair_findings_acknowledge",
    "lot_clarify", "lot_document_add",
    "lot_publish", "lot_schedule", "project_accept", "project_register", "project_return", "signup_create",
]
