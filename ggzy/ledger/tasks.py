"""Scheduled ledger work: a signed checkpoint at a fixed interval, cosigned by the in-process witnesses and
pushed to the remote ones (soon after each new checkpoint, then every minute until each has cosigned, with
backoff); push rounds to webhook subscribers every minute and soon after appends (``push_soon``).

The interval is ``settings.GGZY_LEDGER_CHECKPOINT_MINUTES`` (10; 1 in the embedded demo). Issuing is
idempotent per tree size, so a late or doubled run does no harm. These run in Huey's consumer: ``manage.py
run_huey``, or ``manage.py serve`` (``make demo``), which starts it beside the server.
"""

import threading
import time

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .localwitness import ledger_cosign_locally
from .outbox import ledger_push
from .remotewitness import ledger_witness_push
from .services import checkpoint_issue

_MINUTES = int(settings.GGZY_LEDGER_CHECKPOINT_MINUTES)


@db_periodic_task(crontab(minute=f"*/{_MINUTES}"))
def ledger_checkpoint_periodic() -> int:
    """Issue a checkpoint of the current tree and gather local cosignatures; returns the tree size."""
    checkpoint = checkpoint_issue(actor=None)
    ledger_cosign_locally(checkpoint=checkpoint)
    return checkpoint.tree_size


@db_task()
def ledger_witness_push_task() -> int:
    """Send the latest checkpoint to every remote witness that has not cosigned it (after each new checkpoint)."""
    return sum(r.cosigned for r in ledger_witness_push())


@db_periodic_task(crontab(minute="*"))
def ledger_witness_push_periodic() -> int:
    """Retry witnesses that were down or refused, each after its backoff; idempotent."""
    return sum(r.cosigned for r in ledger_witness_push())


@db_periodic_task(crontab(minute="*"))
def ledger_push_periodic() -> int:
    """One delivery round every minute: catches up after restarts, failures and backoff."""
    return sum(r.delivered for r in ledger_push())


@db_task()
def ledger_push_task() -> int:
    """One delivery round soon after a commit that appended entries (idempotent, like the periodic one)."""
    return sum(r.delivered for r in ledger_push())


_PUSH_DEBOUNCE_SECONDS = 1.0
_push_lock = threading.Lock()
_push_last = -_PUSH_DEBOUNCE_SECONDS


def push_soon() -> None:
    """``transaction.on_commit`` hook of appends: enqueue a push round, at most one a second per process
    (a burst of appends needs one round; the periodic task covers anything a debounce skipped). The
    debounce uses the process's monotonic timer, not the domain clock: it is rate limiting, not a deadline."""
    global _push_last
    with _push_lock:
        current = time.monotonic()
        if current - _push_last < _PUSH_DEBOUNCE_SECONDS:
            return
        _push_last = current
    ledger_push_task()
