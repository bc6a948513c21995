"""Scheduled push: a delivery round every minute (catches up after a restart, a failure or a backoff) and one soon
after each publication commits (``push_soon``, debounced like the ledger's)."""

import threading
import time

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import publication_push


@db_periodic_task(crontab(minute="*"))
def publication_push_periodic() -> int:
    return sum(r.delivered for r in publication_push())


@db_task()
def publication_push_task() -> int:
    return sum(r.delivered for r in publication_push())


_DEBOUNCE_SECONDS = 1.0
_lock = threading.Lock()
_last = -_DEBOUNCE_SECONDS


def push_soon() -> None:
    """``on_commit`` hook of a publication: at most one round a second per process (rate limiting, not a deadline,
    so the process's monotonic timer rather than the domain clock)."""
    global _last
    with _lock:
        current = time.monotonic()
        if current - _last < _DEBOUNCE_SECONDS:
            return
        _last = current
    publication_push_task()
