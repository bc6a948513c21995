"""Who may change the catalog's reference data.

The provincial center (its staff, administrators, superusers) maintains the catalog, the rules list, the
process templates and the holiday calendar; city staff may read them in the admin and maintain only their own
center's catalog extensions and consultations. ``actor=None`` is the system (migrations, the demo loader).
"""

from __future__ import annotations

from typing import Any

from ggzy.accounts.roles import STAFF_ROLES, Role


def _is_active_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def can_view_reference_admin(user: Any) -> bool:
    """Staff of any center and administrators may open the catalog's admin pages."""
    if not _is_active_user(user) or not getattr(user, "is_staff", False):
        return False
    return bool(user.is_superuser or user.role in STAFF_ROLES)


def can_edit_reference(user: Any) -> bool:
    """Provincial staff, administrators and superusers edit catalogs, rules, templates and calendars."""
    if user is None:
        return True
    if not can_view_reference_admin(user):
        return False
    return bool(user.is_superuser or user.role == Role.ADMIN
                or (user.role == Role.CENTER_STAFF and user.is_provincial))


def can_change_extension_of(user: Any, center_id: int | None) -> bool:
    """A city extension (and its consultation) is changed by the province or by that city's staff."""
    if can_edit_reference(user):
        return True
    return bool(can_view_reference_admin(user) and user.role == Role.CENTER_STAFF
                and center_id is not None and user.center_id == center_id)


def can_change_consultation(user: Any, consultation: Any) -> bool:
    if consultation.extension_id is None:
        return can_edit_reference(user)
    return can_change_extension_of(user, consultation.extension.center_id)
