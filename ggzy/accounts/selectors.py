"""Account reads."""

from .models import User


def user_get_active(*, user_id: int) -> User | None:
    return User.objects.select_related("center__region").filter(pk=user_id, is_active=True).first()


def expert_list_active(*, limit: int = 50):
    """Active evaluation experts by user name (for appointing a committee)."""
    from .roles import Role

    return User.objects.filter(role=Role.EXPERT, is_active=True).order_by("username")[:limit]


def notification_list_visible(*, user):
    """A user's own inbox, newest first."""
    from .models import Notification

    return Notification.objects.filter(user=user)
