"""Tendering services (writes), one module per stage; import from here."""

from .projects import (
    fair_findings_acknowledge,
    lot_clarify,
    lot_publish,
    lot_schedule,
    project_accept,
    project_register,
    project_return,
)
from .signup import bond_record, signup_create
from .tender_documents import document_download, lot_document_add

__all__ = [
    "bond_record", "document_download", "fair_findings_acknowledge", "lot_clarify", "lot_document_add",
    "lot_publish", "lot_schedule", "project_accept", "project_register", "project_return", "signup_create",
]
