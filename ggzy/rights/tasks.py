"""Scheduled work (Huey): the rights chronograph moves listings through their deadlines and closes timed rounds,
and resumes a suspended listing at its announced resumption time (a suspended listing's registration has opened,
so the query below already picks it; ``procedures.next_due`` decides whether its time has come).

Idempotent: each listing advances under its row lock with the time read after the lock, and a listing with
nothing due changes nothing. Deadlines are also enforced at request time (every bid advances its listing first),
so a late or stopped scheduler never lets a late bid in nor changes a result.
"""

import logging

from django.db.models import Q
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ggzy.core import clock

from .choices import ListingState
from .models import RightsListing
from .services.listings import listing_advance

logger = logging.getLogger(__name__)


def listings_advance_due() -> int:
    """Advance every listing with a deadline passed; returns how many changed state."""
    now = clock.now()
    due = (Q(registration_opens_at__lte=now) & ~Q(state=ListingState.CLOSED)
           | Q(announcement_notice__isnull=True, announced_at__lte=now)  # the announcement's time has come
           | Q(state=ListingState.CLOSED, result_notice__isnull=True))  # a result not yet on the portal
    candidates = RightsListing.objects.filter(due).values_list("pk", "code")
    changed = 0
    for listing_id, code in list(candidates):
        try:
            if listing_advance(listing_id=listing_id):
                changed += 1
        except Exception:  # noqa: BLE001 — one bad listing must not stop the others; the next run retries it
            logger.exception("挂牌项目 %s（id=%s）定时推进失败，下次运行时重试", code, listing_id)
    return changed


@db_periodic_task(crontab(minute="*"))
def rights_chronograph():
    return listings_advance_due()
