"""Domain errors: one type that names the field and says what is wrong, in the user's language.

Services raise ``DomainError`` for bad input or a forbidden state; pages show the messages beside the
fields, the API answers 400 with ``{"detail": ..., "errors": {field: [messages]}}``. Raising inside a
service's ``transaction.atomic()`` rolls back everything, so a refused request changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Bad input or a forbidden transition. ``errors`` maps field names (or ``__all__``) to messages."""

    status_code = 400

    def __init__(self, message: str | None = None, *, field: str | None = None,
                 errors: Mapping[str, list[str] | str] | None = None) -> None:
        collected: dict[str, list[str]] = {}
        for name, msgs in (errors or {}).items():
            collected[name] = [msgs] if isinstance(msgs, str) else list(msgs)
        if message:
            collected.setdefault(field or "__all__", []).append(message)
        self.errors = collected
        first = message or next((m[0] for m in collected.values() if m), "请求无效")
        super().__init__(first)

    @property
    def message(self) -> str:
        return str(self)

    def as_dict(self) -> dict:
        return {"detail": self.message, "errors": self.errors}


class NotAllowed(DomainError):
    """The actor may not do this (wrong role, another center's record)."""

    status_code = 403


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it exists."""

    status_code = 404


class Conflict(DomainError):
    """The object's state forbids the action (wrong state, too late, duplicate)."""

    status_code = 409


class TooManyRequests(DomainError):
    """Too many attempts in a short time: the request must wait ``retry_after`` seconds (HTTP 429)."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message, field=field)
