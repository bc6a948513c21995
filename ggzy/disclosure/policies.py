"""Who may publish or withdraw notices: staff of the notice's center, or provincial staff and administrators."""

from ggzy.accounts.roles import Role


def can_publish_notice(user, center) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.CENTER_STAFF or user.center_id is None:
        return False
    return user.is_provincial or user.center_id == center.pk


def can_withdraw_notice(user, notice) -> bool:
    return can_publish_notice(user, notice.center)
