"""The platform's one clock (服务器时间为准). Every deadline check reads ``now()``; tests move it.

The server's clock is authoritative (DOMAIN.md, Security). Nothing in the code calls ``timezone.now()`` or
``datetime.now()`` for a domain decision: it calls this module, so a test can freeze and advance time
without sleeping, and a live server started by a browser test sees the same time (a module global, not a
context variable, so that server threads share it).
"""

from __future__ import annotations

import datetime as dt
import threading

from django.utils import timezone

_lock = threading.Lock()
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, timezone-aware."""
    frozen = _frozen
    return frozen if frozen is not None else timezone.now()


def today() -> dt.date:
    """Today's date in the platform's time zone (Asia/Shanghai)."""
    return timezone.localdate(now())


def freeze(at: dt.datetime) -> None:
    """Stop the clock at ``at`` (tests and benchmarks only)."""
    global _frozen
    if timezone.is_naive(at):
        raise ValueError("clock.freeze needs a timezone-aware datetime")
    with _lock:
        _frozen = at


def advance(delta: dt.timedelta) -> dt.datetime:
    """Move a frozen clock forward by ``delta`` and return the new time."""
    global _frozen
    with _lock:
        if _frozen is None:
            raise RuntimeError("clock.advance needs a frozen clock (call freeze first)")
        _frozen = _frozen + delta
        return _frozen


def unfreeze() -> None:
    """Return to real time."""
    global _frozen
    with _lock:
        _frozen = None
