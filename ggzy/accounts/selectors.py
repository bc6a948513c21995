"""Account reads."""

from .models import User


def user_get_active(*, user_id: int) -> User | None:
    return User.objects.select_related("center__region").filter(pk=user_id, is_active=True).first()


def notification_list_visible(*, user):
    """A user's own inbox, newest first."""
    from .models import Notification

    return Notification.objects.filter(user=user)
