"""The audit hook: every service that changes state calls ``audit_record`` inside its transaction.

This is the single place where a change becomes a record (actor, action, object, time, before/after). The
tamper-evident ledger (ggzy.ledger) appends to its Merkle log from here, so a service never writes to two
places and never forgets one.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models

from . import clock
from .models import AuditEntry

# Hooks run after the audit row is written, in the same transaction (the ledger registers one). The second
# argument is the entry's seal key ("" when it is not sealed), see ``audit_record``.
_after_record: list[Callable[[AuditEntry, str], None]] = []


def register_after_record(hook: Callable[[AuditEntry, str], None]) -> None:
    """Let a lower-level app (the ledger) see each audit entry, and its seal key, in the same transaction."""
    if hook not in _after_record:
        _after_record.append(hook)


def jsonable(value: Any) -> Any:
    """Turn model field values into JSON-safe values (dates ISO, decimals as strings)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The concrete field values of ``obj`` (foreign keys as ids), minus ``exclude``."""
    skip = set(exclude)
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        data[field.attname] = jsonable(getattr(obj, field.attname))
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict, dict]:
    """Only the keys that changed, from both sides."""
    before = before or {}
    after = after or {}
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed if k in before}, {k: after.get(k) for k in changed if k in after}


def audit_record(*, actor: Any, action: str, obj: models.Model | None = None, object_type: str | None = None,
                 object_id: str | None = None, object_repr: str | None = None, center_id: int | None = None,
                 before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                 sealed: bool = False, seal_key: str = "") -> AuditEntry:
    """Record one state change. Must run inside the service's ``transaction.atomic()``.

    ``sealed=True`` is for a bidder's acts before the opening (sign-up, bond, bid): the entry then names no actor,
    so the audit trail, its admin and the ledger cannot tell who bid (the sealed rows carry the identity).
    ``seal_key`` (an opaque identifier the caller chooses, never shown in public) seals the ledger entry itself:
    the public log shows only a commitment to it until the caller lifts that key (``ledger.services.seal_lift``),
    so not even the object or the action can be counted before then. It says nothing about the actor: a bidder's
    act passes both, a staff act about sealed rows (a bond refunded before the opening) only ``seal_key``."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr if object_repr is not None else str(obj)[:255]
        if center_id is None:
            center_id = getattr(obj, "center_id", None)
    is_user = actor is not None and getattr(actor, "is_authenticated", False) and not sealed
    entry = AuditEntry.objects.create(
        at=clock.now(),
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else ("投标人（密封）" if sealed else "匿名/系统")),
        actor_role=str(getattr(actor, "role", "") or "") if is_user else "",
        action=action,
        object_type=object_type or "",
        object_id=object_id or "",
        object_repr=object_repr or "",
        center_id=center_id,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
    )
    for hook in _after_record:
        hook(entry, seal_key)
    return entry
