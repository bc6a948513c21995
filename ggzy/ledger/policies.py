"""Who may see what of the ledger beyond the public view (object scope, per center)."""

from typing import Any

from ggzy.core.roles import Role

from .models import LogEntry

CENTER_ROLES = (Role.CENTER_STAFF, Role.SUPERVISOR)


def can_view_receipt(user: Any, entry: LogEntry) -> bool:
    """The entry's own actor, staff and supervisors of its center, and provincial users."""
    if not getattr(user, "is_authenticated", False):
        return False
    if entry.actor_label and entry.actor_label == user.get_username():
        return True
    if user.role == Role.ADMIN or (user.role in CENTER_ROLES and user.is_provincial):
        return True
    return user.role in CENTER_ROLES and entry.center_id is not None and entry.center_id == user.center_id


def can_read_feed(user: Any, subscriber: Any) -> bool:
    """The full entry feed (bodies name actors): a registered pull subscriber, administrators, provincial
    supervisors."""
    if subscriber is not None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role == Role.ADMIN or (user.role == Role.SUPERVISOR and user.is_provincial)
