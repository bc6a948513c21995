"""Procedures: one state machine per trading method (procedures/base.py holds the shared machinery)."""

from .base import Procedure, lot_fresh, procedure_class, procedure_classes, procedure_for
from .government import (
    GovernmentConsultation,
    GovernmentInquiry,
    GovernmentNegotiation,
    GovernmentOpenTender,
    GovernmentSingleSource,
)
from .works import WorksOpenTender

__all__ = ["GovernmentConsultation", "GovernmentInquiry", "GovernmentNegotiation", "GovernmentOpenTender",
           "GovernmentSingleSource", "Procedure", "WorksOpenTender", "lot_fresh", "procedure_class", "procedure_classes",
           "procedure_for"]
