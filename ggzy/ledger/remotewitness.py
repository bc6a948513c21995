"""Witnesses on other parties' hosts: each new checkpoint is pushed to them over C2SP tlog-witness.

For every active witness with an address, a push round takes the latest checkpoint and, unless that witness
has cosigned it already, POSTs ``<url>/add-checkpoint`` with the consistency proof from the size the witness
last cosigned (``Witness.last_cosigned_size``; a 409 answer names the witness's own size and the request is
made once more from there — ``services.checkpoint_request_cosignature``). The cosignature that comes back is
checked against the witness's registered key and stored with the checkpoint, so pages, receipts and exports
publish it.

A witness that is down or refuses holds nothing up: appends and checkpoint issuing never wait for it (no
transaction is open during the request), the failure is recorded with exponential backoff (``attempts``,
``next_attempt_at``, ``last_error``) and the periodic task tries again with the then-latest checkpoint, which
meanwhile shows as awaiting that witness. Pushing is idempotent: a cosigned checkpoint is not sent again,
and a repeated answer is a duplicate cosignature, which ``cosignature_add`` ignores.
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F

from ggzy.core import clock
from ggzy.core.errors import DomainError

from . import services
from .models import Checkpoint, Cosignature, Witness
from .witness import WitnessRefusal

TIMEOUT = 10.0  # seconds per request
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
MAX_RESPONSE = 64 * 1024

# send(url, request body, timeout) -> response body; raises WitnessRefusal (4xx) or OSError (no answer, 5xx).
WitnessSender = Callable[[str, str, float], str]


class WitnessUnavailable(OSError):
    """The witness answered with a server error or something unreadable: try again later."""


def http_add_checkpoint(url: str, body: str, timeout: float) -> str:
    """POST a tlog-witness ``add-checkpoint`` request; the response body (cosignature lines) on 200."""
    request = urllib.request.Request(  # noqa: S310 (http/https only, checked at registration)
        url.rstrip("/") + "/add-checkpoint", data=body.encode("utf-8"),
        headers={"Content-Type": "text/plain; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(MAX_RESPONSE)
    except urllib.error.HTTPError as exc:
        text = exc.read(4096).decode("utf-8", "replace").strip()
        if exc.code >= 500 or exc.code == 429:
            raise WitnessUnavailable(f"HTTP {exc.code} {text[:200]}".strip()) from exc
        known_size = None
        if exc.code == 409 and exc.headers.get_content_type() == "text/x.tlog.size" and text.isdigit():
            known_size = int(text)
        raise WitnessRefusal(text[:300] or f"HTTP {exc.code}", status=exc.code, known_size=known_size) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WitnessUnavailable("the answer is not UTF-8") from exc


@dataclass
class WitnessPushResult:
    witness: str
    tree_size: int | None = None
    cosigned: bool = False
    error: str = ""
    skipped: str = ""  # why nothing was sent: "done" (already cosigned), "backoff", "no-checkpoint", "no-url"


def backoff(attempts: int) -> dt.timedelta:
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def witness_push(*, witness: Witness, checkpoint: Checkpoint | None = None, send: WitnessSender = http_add_checkpoint,
                 force: bool = False) -> WitnessPushResult:
    """Ask one remote witness to cosign ``checkpoint`` (default: the latest); ``force`` ignores the backoff."""
    result = WitnessPushResult(witness=witness.name)
    if not witness.url or not witness.is_active:
        result.skipped = "no-url"
        return result
    checkpoint = checkpoint or Checkpoint.objects.order_by("-tree_size").first()
    if checkpoint is None:
        result.skipped = "no-checkpoint"
        return result
    result.tree_size = checkpoint.tree_size
    if witness.last_cosigned_size > checkpoint.tree_size or \
            Cosignature.objects.filter(checkpoint=checkpoint, witness=witness).exists():
        result.skipped = "done"
        return result
    now = clock.now()
    if not force and witness.next_attempt_at is not None and witness.next_attempt_at > now:
        result.skipped = "backoff"
        return result
    url = witness.url
    try:
        services.checkpoint_request_cosignature(checkpoint=checkpoint, witness=witness,
                                                send=lambda body: send(url, body, TIMEOUT))
    except OSError as exc:  # refused, timed out, reset, 5xx: the witness is down or overloaded
        result.error = f"无法连接见证方：{type(exc).__name__}: {exc}"[:500]
    except DomainError as exc:  # it refused (a fork, a stale size) or answered a cosignature that does not verify
        result.error = str(exc)[:500]
    if result.error:
        Witness.objects.filter(pk=witness.pk).update(
            attempts=F("attempts") + 1, last_error=result.error, last_attempt_at=now,
            next_attempt_at=now + backoff(witness.attempts + 1))
    else:
        result.cosigned = True
        Witness.objects.filter(pk=witness.pk).update(attempts=0, last_error="", last_attempt_at=now,
                                                     next_attempt_at=None)
    return result


def ledger_witness_push(*, send: WitnessSender = http_add_checkpoint, force: bool = False) -> list[WitnessPushResult]:
    """One round over every active remote witness with the latest checkpoint (the tasks, the command)."""
    checkpoint = Checkpoint.objects.order_by("-tree_size").first()
    witnesses = Witness.objects.filter(is_active=True).exclude(url="").order_by("name")
    return [witness_push(witness=w, checkpoint=checkpoint, send=send, force=force) for w in witnesses]


__all__ = ["WitnessPushResult", "WitnessUnavailable", "http_add_checkpoint", "ledger_witness_push", "witness_push"]
