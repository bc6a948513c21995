"""Account reads."""

from .models import User


def user_get_active(*, user_id: int) -> User | None:
    return User.objects.select_related("center__region").filter(pk=user_id, is_active=True).first()
