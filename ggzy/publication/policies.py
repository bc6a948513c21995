"""Who manages the publication push: administrators (and the system: ``None``)."""

from typing import Any

from ggzy.core.roles import Role


def can_manage_push(user: Any) -> bool:
    if user is None:
        return True
    return bool(getattr(user, "is_authenticated", False)
                and (getattr(user, "is_superuser", False) or getattr(user, "role", None) == Role.ADMIN))
