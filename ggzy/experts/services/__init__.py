"""Writes of the expert pool (each in a transaction); pages, API, commands and tasks call these only."""

from . import manual  # noqa: F401 — FORM_FIELDS for the page
from .classifications import classifications_import
from .draw import Conflicts, draw_beacon, draw_request_create, draw_run
from .draw_answers import draw_answer, draw_publish, draw_recusal_redraw, draw_sign_in, draw_timeouts
from .entry import EntryRules, entry_problems, entry_rules
from .imports import pool_conflict_resolve, pool_import_create, pool_import_run
from .manual import expert_add
from .performance import expert_penalty_record, expert_rate
from .relatives import RELATIONS, relative_declare, relative_remove
from .self_service import change_request_decide, expert_profile_update

__all__ = [
    "Conflicts",
    "EntryRules",
    "change_request_decide",
    "classifications_import",
    "draw_answer",
    "draw_beacon",
    "draw_publish",
    "draw_recusal_redraw",
    "draw_request_create",
    "draw_run",
    "draw_sign_in",
    "draw_timeouts",
    "entry_problems",
    "expert_add",
    "entry_rules",
    "expert_penalty_record",
    "expert_profile_update",
    "expert_rate",
    "pool_conflict_resolve",
    "pool_import_create",
    "pool_import_run",
    "RELATIONS",
    "relative_declare",
    "relative_remove",
]
