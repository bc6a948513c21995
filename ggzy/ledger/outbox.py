"""Push (实时推送): the log's entries delivered to subscribers in order, without gaps, surviving restarts.

The log is its own outbox: entries are append-only and numbered 0, 1, 2, … in one total order, so a
subscriber's state is one number, ``cursor``, the last index it acknowledged. A delivery round, for each
enabled webhook subscriber, locks its row (``select_for_update(skip_locked=True)``: two workers never send
the same batch at once — the second skips the subscriber), POSTs the next entries ``index > cursor`` in
order, and advances the cursor in that same transaction only after a 2xx answer. A crash or timeout
before the commit leaves the cursor where it was, so the same batch is sent again: delivery is
at-least-once, and every entry carries its index for the receiver to deduplicate. A failure is recorded
and retried with exponential backoff. Pull subscribers read ``GET /api/v1/ledger/feed`` instead.

Every body is signed: ``X-Ggzy-Signature: sha256=<hex HMAC-SHA256(secret, body)>``.

Deliveries are not audited: an audit entry is a ledger entry, which would itself need delivering.
On SQLite (embedded mode) the IMMEDIATE transaction holds the write lock during one POST (≤ ``TIMEOUT``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError

from . import keys
from .models import LogEntry, LogHead, Subscriber, SubscriberKind

BATCH_SIZE = 100
MAX_BATCHES_PER_ROUND = 50
TIMEOUT = 5.0  # seconds per POST
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
SIGNATURE_HEADER = "X-Ggzy-Signature"
PUSH_FORMAT = "ggzy-ledger-push/v1"

# send(url, body, headers, timeout) -> HTTP status; raises OSError when nothing usable came back.
Sender = Callable[[str, bytes, dict[str, str], float], int]


def signature(secret: str, body: bytes) -> str:
    """The value of ``X-Ggzy-Signature`` for ``body``: receivers recompute it with the shared secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, body), header or "")


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST with urllib; returns the status (a non-2xx answer is a status, not an exception)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http/https only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def entry_item(entry: LogEntry) -> dict[str, Any]:
    """One entry as pushed and fed: its index, canonical body and leaf hash (recomputable by the receiver)."""
    return {"index": entry.index, "body": entry.body, "leaf_hash": base64.b64encode(bytes(entry.leaf_hash)).decode()}


def batch_body(subscriber: Subscriber, entries: list[LogEntry], hash_algorithm: str) -> bytes:
    payload = {"format": PUSH_FORMAT, "origin": keys.log_origin(), "hash": hash_algorithm,
               "subscriber": subscriber.name, "first": entries[0].index, "last": entries[-1].index,
               "entries": [entry_item(e) for e in entries]}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- registering -------------------------------------------------------------------------------------------


def subscriber_register(*, actor: Any, name: str, kind: str, url: str = "", secret: str = "",
                        start_after: int = -1) -> Subscriber:
    """登记订阅方. ``start_after`` = the last index it already has (-1: from the first entry)."""
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "请填写订阅方名称"
    if kind not in SubscriberKind.values:
        errors["kind"] = "订阅方式不正确"
    if kind == SubscriberKind.WEBHOOK:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = "推送地址须为 http(s) 地址"
    if secret and len(secret) < 16:
        errors["secret"] = "共享密钥至少 16 个字符"
    if start_after < -1:
        errors["start_after"] = "起始序号不正确"
    if errors:
        raise DomainError(errors=errors)
    with transaction.atomic():
        if Subscriber.objects.filter(name=name).exists():
            raise Conflict("该订阅方已登记", field="name")
        subscriber = Subscriber.objects.create(name=name, kind=kind, url=url if kind == SubscriberKind.WEBHOOK else "",
                                               secret=secret or secrets.token_hex(32), cursor=start_after,
                                               created_at=clock.now())
        audit_record(actor=actor, action="ledger.subscriber_register", obj=subscriber,
                     after={"name": name, "kind": kind, "url": subscriber.url, "cursor": start_after})
    return subscriber


# --- delivering ----------------------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    subscriber: str
    delivered: int = 0
    cursor: int = -1
    error: str = ""
    skipped: str = ""  # why nothing was attempted: "busy" (another worker), "backoff", "disabled"


def backoff(attempts: int, *, first: dt.timedelta = BACKOFF_FIRST, cap: dt.timedelta = BACKOFF_MAX) -> dt.timedelta:
    """Exponential backoff after ``attempts`` consecutive failures (shared with the publication push)."""
    return min(first * (2 ** min(max(attempts - 1, 0), 30)), cap)


def _deliver_one_batch(subscriber_id: int, send: Sender, batch_size: int, result: DeliveryResult) -> bool:
    """Send the next batch to one subscriber under its row lock; True when another batch may follow."""
    with transaction.atomic():
        subscriber = (Subscriber.objects.select_for_update(skip_locked=True)
                      .filter(pk=subscriber_id, kind=SubscriberKind.WEBHOOK).first())
        if subscriber is None:
            result.skipped = result.skipped or "busy"
            return False
        result.cursor = subscriber.cursor
        if not subscriber.is_enabled:
            result.skipped = "disabled"
            return False
        now = clock.now()
        if subscriber.next_attempt_at is not None and subscriber.next_attempt_at > now:
            result.skipped = "backoff"
            return False
        entries = list(LogEntry.objects.filter(index__gt=subscriber.cursor).order_by("index")[:batch_size])
        if not entries:
            return False
        if entries[0].index != subscriber.cursor + 1 or entries[-1].index - entries[0].index != len(entries) - 1:
            raise RuntimeError(f"ledger entries are not contiguous after {subscriber.cursor}")  # verify --db names it
        algorithm = LogHead.objects.values_list("hash_algorithm", flat=True).first() or "sha256"
        body = batch_body(subscriber, entries, algorithm)
        headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: signature(subscriber.secret, body),
                   "X-Ggzy-Ledger-First": str(entries[0].index), "X-Ggzy-Ledger-Last": str(entries[-1].index)}
        try:
            status = send(subscriber.url, body, headers, TIMEOUT)
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except OSError as exc:  # refused, timed out, reset: the batch may or may not have arrived
            error = f"{type(exc).__name__}: {exc}"[:500]
        subscriber.last_attempt_at = now
        if error:
            subscriber.attempts += 1
            subscriber.last_error = error
            subscriber.next_attempt_at = now + backoff(subscriber.attempts)
            subscriber.save(update_fields=["attempts", "last_error", "last_attempt_at", "next_attempt_at"])
            result.error = error
            return False
        subscriber.cursor = entries[-1].index
        subscriber.attempts = 0
        subscriber.last_error = ""
        subscriber.next_attempt_at = None
        subscriber.save(update_fields=["cursor", "attempts", "last_error", "last_attempt_at", "next_attempt_at"])
    result.cursor = entries[-1].index
    result.delivered += len(entries)
    return len(entries) == batch_size


def subscriber_deliver(*, subscriber: Subscriber, send: Sender = http_post, batch_size: int = BATCH_SIZE,
                       max_batches: int = MAX_BATCHES_PER_ROUND) -> DeliveryResult:
    """Deliver what one webhook subscriber has not acknowledged yet, batch by batch, stopping at a failure."""
    result = DeliveryResult(subscriber=subscriber.name, cursor=subscriber.cursor)
    for _ in range(max_batches):
        if not _deliver_one_batch(subscriber.pk, send, batch_size, result):
            break
    return result


def ledger_push(*, send: Sender = http_post, batch_size: int = BATCH_SIZE) -> list[DeliveryResult]:
    """One delivery round over every enabled webhook subscriber (the task, the command). Idempotent."""
    subscribers = Subscriber.objects.filter(kind=SubscriberKind.WEBHOOK, is_enabled=True).order_by("pk")
    return [subscriber_deliver(subscriber=s, send=send, batch_size=batch_size) for s in subscribers]


def subscriber_acknowledge(*, subscriber: Subscriber, after: int) -> None:
    """A pull subscriber asking for ``after=N`` has everything up to N: move its cursor there (never back)."""
    size = LogHead.objects.values_list("size", flat=True).first() or 0
    after = min(after, size - 1)
    Subscriber.objects.filter(pk=subscriber.pk, cursor__lt=after).update(cursor=after, last_attempt_at=clock.now(),
                                                                       attempts=0, last_error="")
