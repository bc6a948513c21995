"""Who may change the trust store: administrators, and the system itself (management commands, demo loader)."""

from __future__ import annotations

from typing import Any

from ggzy.core.roles import Role


def can_manage_trust_store(user: Any) -> bool:
    """``None`` is the system acting on an operator's command line (``ggzy pki demo``, a scheduled CRL refresh)."""
    if user is None:
        return True
    return bool(getattr(user, "is_authenticated", False)
                and (getattr(user, "is_superuser", False) or getattr(user, "role", None) == Role.ADMIN))
