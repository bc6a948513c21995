"""Writes of the publication push: recording a publication (feed offset + one message per subscriber), registering
subscribers, delivering, and the dead-letter buttons.

Delivery reuses the ledger's push machinery (``ggzy.ledger.outbox``): the same HMAC body signature header, the same
``http_post`` sender, the same exponential ``backoff`` and the same locking pattern — one subscriber row locked with
``select_for_update(skip_locked=True)`` per batch, so two workers never send the same batch, and the messages are
marked delivered in that transaction only after a 2xx answer (a crash before the commit resends the batch: the
receiver deduplicates by ``idempotency_key``). What differs from the ledger push: the content is the published
notice itself (masked, signed with the platform key), each subscriber has its own gap-free ``seq``, and a message
that keeps failing (``max_attempts`` or ``time_budget_hours``) goes to the dead letters instead of blocking the
subscriber forever.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from ggzy.core import clock, masking
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError
from ggzy.ledger.outbox import SIGNATURE_HEADER, Sender, backoff, http_post, signature
from ggzy.pki.services import platform_sign

from .models import FeedHead, MessageState, Publication, PublicationKind, PushMessage, PushSubscriber

PUSH_FORMAT = "ggzy-publication-push/v1"
TIMEOUT = 5.0
BACKOFF_MAX = dt.timedelta(hours=1)
MAX_BATCHES_PER_ROUND = 50


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _scrub(value: Any) -> Any:
    """Every string of the pushed content through the masking table's free-text rule."""
    if isinstance(value, str):
        return masking.text_scrub(value)
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    return value


# --- recording -----------------------------------------------------------------------------------------------


def publication_record(*, kind: str, action: str, object_type: str, object_id: str, content: dict[str, Any],
                       published_at: dt.datetime) -> Publication:
    """Record one published item inside the publisher's transaction (the notice and its publication commit
    together). The feed head is locked until that commit, so offsets are handed out in commit order and a reader
    of the feed never sees offset N+1 before N exists (docs/adr/0015)."""
    if kind not in PublicationKind.values:
        raise DomainError("推送类别不正确", field="kind")
    key = f"{object_type}:{object_id}:{action}"
    body = {"format": PUSH_FORMAT, "kind": kind, "action": action, "object_type": object_type,
            "object_id": str(object_id), "idempotency_key": key, "published_at": published_at.isoformat(),
            "content": _scrub(content)}
    with transaction.atomic():
        head = FeedHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            FeedHead.objects.get_or_create(pk=1)
            head = FeedHead.objects.select_for_update().get(pk=1)
        head.last_offset += 1
        head.save(update_fields=["last_offset"])
        body["offset"] = head.last_offset
        publication = Publication.objects.create(
            offset=head.last_offset, kind=kind, action=action, object_type=object_type, object_id=str(object_id),
            idempotency_key=key, content=canonical(body).decode("utf-8"), published_at=published_at)
        now = clock.now()
        for subscriber in PushSubscriber.objects.select_for_update().filter(is_enabled=True).order_by("pk"):
            if kind not in (subscriber.kinds or []):
                continue
            PushMessage.objects.create(subscriber=subscriber, seq=subscriber.next_seq, publication=publication,
                                       created_at=now)
            subscriber.next_seq += 1
            subscriber.save(update_fields=["next_seq"])
        transaction.on_commit(_push_soon)
    return publication


def _push_soon() -> None:
    from .tasks import push_soon

    push_soon()


def publication_signature(publication: Publication) -> str:
    """The platform's signature over the content (base64 DER CMS), made on first use and kept: the content never
    changes, and signing outside the publishing transaction keeps the feed lock short."""
    if not publication.signature:
        publication.signature = base64.b64encode(platform_sign(publication.content.encode("utf-8"))).decode()
        Publication.objects.filter(pk=publication.pk, signature="").update(signature=publication.signature)
    return publication.signature


# --- subscribers ---------------------------------------------------------------------------------------------


def subscriber_register(*, actor: Any, name: str, url: str, kinds: list[str], secret: str = "",
                        retry_base_ms: int = 30_000, max_attempts: int = 12, time_budget_hours: int = 24,
                        batch_size: int = 50) -> PushSubscriber:
    """登记推送订阅方. It receives what is published from now on (no backfill: it reads the feed for that)."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写订阅方名称"
    try:
        URLValidator(schemes=["http", "https"])(url or "")
    except ValidationError:
        errors["url"] = "推送地址须为 http(s) 地址"
    if not kinds or any(k not in PublicationKind.values for k in kinds):
        errors["kinds"] = "请选择订阅类别（公告、更正、结果）"
    if secret and len(secret) < 16:
        errors["secret"] = "共享密钥至少 16 个字符"
    if not 1 <= max_attempts <= 100:
        errors["max_attempts"] = "最多尝试次数须在 1 到 100 之间"
    if not 1 <= batch_size <= 500:
        errors["batch_size"] = "每批条数须在 1 到 500 之间"
    if not 1 <= retry_base_ms <= 3_600_000:
        errors["retry_base_ms"] = "首次重试间隔须在 1 毫秒到 1 小时之间"
    if not 1 <= time_budget_hours <= 24 * 30:
        errors["time_budget_hours"] = "投递时限须在 1 到 720 小时之间"
    if errors:
        raise DomainError(errors=errors)
    with transaction.atomic():
        if PushSubscriber.objects.filter(name=name).exists():
            raise Conflict("该订阅方已登记", field="name")
        subscriber = PushSubscriber.objects.create(
            name=name, url=url, secret=secret or secrets.token_hex(32), kinds=sorted(set(kinds)),
            retry_base_ms=retry_base_ms, max_attempts=max_attempts, time_budget_hours=time_budget_hours,
            batch_size=batch_size, created_at=clock.now())
        audit_record(actor=actor, action="publication.subscriber_register", obj=subscriber,
                     after={"name": name, "url": url, "kinds": subscriber.kinds})
    return subscriber


# --- delivering ----------------------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    subscriber: str
    delivered: int = 0
    dead: int = 0
    error: str = ""
    skipped: str = ""  # busy | backoff | disabled


def message_item(message: PushMessage) -> dict[str, Any]:
    publication = message.publication
    return {"seq": message.seq, "idempotency_key": publication.idempotency_key, "offset": publication.offset,
            "kind": publication.kind, "content": publication.content,
            "signature": publication_signature(publication)}


def batch_body(subscriber: PushSubscriber, messages: list[PushMessage]) -> bytes:
    payload = {"format": PUSH_FORMAT, "subscriber": subscriber.name, "first": messages[0].seq,
               "last": messages[-1].seq, "messages": [message_item(m) for m in messages]}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _deliver_one_batch(subscriber_id: int, send: Sender, result: DeliveryResult) -> bool:
    with transaction.atomic():
        subscriber = PushSubscriber.objects.select_for_update(skip_locked=True).filter(pk=subscriber_id).first()
        if subscriber is None:
            result.skipped = result.skipped or "busy"
            return False
        if not subscriber.is_enabled:
            result.skipped = "disabled"
            return False
        now = clock.now()
        if subscriber.next_attempt_at is not None and subscriber.next_attempt_at > now:
            result.skipped = "backoff"
            return False
        messages = list(PushMessage.objects.select_related("publication")
                        .filter(subscriber=subscriber, state=MessageState.PENDING)
                        .order_by("seq")[:subscriber.batch_size])
        if not messages:
            return False
        body = batch_body(subscriber, messages)
        headers = {"Content-Type": "application/json; charset=utf-8",
                   SIGNATURE_HEADER: signature(subscriber.secret, body),
                   "X-Ggzy-Push-First": str(messages[0].seq), "X-Ggzy-Push-Last": str(messages[-1].seq)}
        try:
            status = send(subscriber.url, body, headers, TIMEOUT)
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except OSError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        subscriber.last_attempt_at = now
        ids = [m.pk for m in messages]
        if error:
            subscriber.attempts += 1
            subscriber.last_error = error
            subscriber.next_attempt_at = now + backoff(
                subscriber.attempts, first=dt.timedelta(milliseconds=subscriber.retry_base_ms), cap=BACKOFF_MAX)
            subscriber.save(update_fields=["attempts", "last_error", "last_attempt_at", "next_attempt_at"])
            budget = dt.timedelta(hours=subscriber.time_budget_hours)
            for message in messages:
                message.attempts += 1
                message.first_attempt_at = message.first_attempt_at or now
                message.last_error = error
                if message.attempts >= subscriber.max_attempts or now - message.first_attempt_at >= budget:
                    message.state = MessageState.DEAD
                    result.dead += 1
                message.save(update_fields=["attempts", "first_attempt_at", "last_error", "state"])
            result.error = error
            return False
        PushMessage.objects.filter(pk__in=ids).update(state=MessageState.DELIVERED, delivered_at=now, last_error="")
        subscriber.attempts = 0
        subscriber.last_error = ""
        subscriber.next_attempt_at = None
        subscriber.save(update_fields=["attempts", "last_error", "last_attempt_at", "next_attempt_at"])
    result.delivered += len(messages)
    return len(messages) == subscriber.batch_size


def subscriber_deliver(*, subscriber: PushSubscriber, send: Sender = http_post,
                       max_batches: int = MAX_BATCHES_PER_ROUND) -> DeliveryResult:
    """Deliver one subscriber's pending messages in ``seq`` order, batch by batch, stopping at a failure."""
    result = DeliveryResult(subscriber=subscriber.name)
    for _ in range(max_batches):
        if not _deliver_one_batch(subscriber.pk, send, result):
            break
    return result


def publication_push(*, send: Sender = http_post) -> list[DeliveryResult]:
    """One delivery round over every enabled subscriber (the Huey tasks and ``manage.py publication_push``)."""
    subscribers = PushSubscriber.objects.filter(is_enabled=True).order_by("pk")
    return [subscriber_deliver(subscriber=s, send=send) for s in subscribers]


# --- dead letters --------------------------------------------------------------------------------------------


def _dead_message(message_id: int) -> PushMessage:
    message = PushMessage.objects.select_for_update().filter(pk=message_id).first()
    if message is None or message.state != MessageState.DEAD:
        raise DomainError("该消息不在死信队列中", field="message")
    return message


def dead_letter_retry(*, actor: Any, message: PushMessage) -> PushMessage:
    """重试: the message goes back to the queue with its own ``seq`` (the receiver may see it after later ones; its
    ``seq`` tells it where it belongs) and the subscriber's backoff is cleared."""
    with transaction.atomic():
        locked = _dead_message(message.pk)
        locked.state = MessageState.PENDING
        locked.attempts = 0
        locked.first_attempt_at = None
        locked.save(update_fields=["state", "attempts", "first_attempt_at"])
        PushSubscriber.objects.filter(pk=locked.subscriber_id).update(next_attempt_at=None, attempts=0)
        audit_record(actor=actor, action="publication.dead_letter_retry", obj=locked,
                     after={"subscriber": locked.subscriber_id, "seq": locked.seq})
        transaction.on_commit(_push_soon)
    return locked


def dead_letter_resend(*, actor: Any, message: PushMessage) -> PushMessage:
    """重新发送: the same content and idempotency key as a new message at the end of the subscriber's queue (a new
    ``seq``, so the order the receiver sees stays gap-free from here); the dead one is kept, marked resent."""
    with transaction.atomic():
        locked = _dead_message(message.pk)
        subscriber = PushSubscriber.objects.select_for_update().get(pk=locked.subscriber_id)
        copy = PushMessage.objects.create(subscriber=subscriber, seq=subscriber.next_seq,
                                          publication_id=locked.publication_id, created_at=clock.now())
        subscriber.next_seq += 1
        subscriber.next_attempt_at = None
        subscriber.attempts = 0
        subscriber.save(update_fields=["next_seq", "next_attempt_at", "attempts"])
        locked.state = MessageState.RESENT
        locked.last_error = f"已重新发送为序号 {copy.seq}；{locked.last_error}"[:2000]
        locked.save(update_fields=["state", "last_error"])
        audit_record(actor=actor, action="publication.dead_letter_resend", obj=copy,
                     after={"subscriber": subscriber.pk, "seq": copy.seq, "from_seq": locked.seq})
        transaction.on_commit(_push_soon)
    return copy
