"""The market entity a firm user acts for. The registry sits above credit (credit must not import it), so the registry
hands credit the function to call (``register_entity_resolver`` in its AppConfig.ready), as it does for pki's login."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_resolver: Callable[..., Any] | None = None


def register_entity_resolver(resolver: Callable[..., Any]) -> None:
    """``resolver(user=...)`` returns the market entity the user acts for, or None."""
    global _resolver
    _resolver = resolver


def entity_of_user(user) -> Any:
    """The market entity ``user`` acts for, or None (also None when no resolver is registered)."""
    if _resolver is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    return _resolver(user=user)
