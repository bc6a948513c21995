"""Expert pool models: the classification standard, experts and their parts, imports, change requests."""

from .pool import (
    Classification,
    Expert,
    ExpertClassification,
    ExpertPenalty,
    ExpertRating,
    ExpertRelative,
    ExpertStatus,
    PenaltyKind,
    RaterRole,
    TitleLevel,
)
from .workflow import (
    ChangeRequestStatus,
    ConflictStatus,
    ExpertChangeRequest,
    ImportStatus,
    PoolConflict,
    PoolImport,
    PoolImportIssue,
)

__all__ = [
    "ChangeRequestStatus",
    "Classification",
    "ConflictStatus",
    "Expert",
    "ExpertChangeRequest",
    "ExpertClassification",
    "ExpertPenalty",
    "ExpertRating",
    "ExpertRelative",
    "ExpertStatus",
    "ImportStatus",
    "PenaltyKind",
    "PoolConflict",
    "PoolImport",
    "PoolImportIssue",
    "RaterRole",
    "TitleLevel",
]

from .draw import DrawnExpert, DrawnState, DrawRequest, DrawStatus  # noqa: E402 — the draw (branch draw)

__all__ += ["DrawRequest", "DrawStatus", "DrawnExpert", "DrawnState"]
