"""Scheduled work (Huey): the chronograph that opens lots at their deadline, and bond-refund reminders.

Both are idempotent: opening an opened lot changes nothing, and reminders are sent at most once a day. Deadlines
are also enforced at request time, so a late or stopped scheduler never lets a late bid in.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ggzy.core import clock

from .choices import LotState
from .models import Lot
from .services.opening import lot_open
from .services.result import bond_refunds_remind


def lots_open_due() -> int:
    """Open every published lot whose deadline has passed; returns how many were processed."""
    due = Lot.objects.filter(state=LotState.PUBLISHED, bid_deadline__lte=clock.now()).values_list("pk", flat=True)
    count = 0
    for lot_id in list(due):
        lot_open(actor=None, lot=Lot.objects.get(pk=lot_id))
        count += 1
    return count


@db_periodic_task(crontab(minute="*"))
def chronograph():
    return lots_open_due()


@db_periodic_task(crontab(hour="8", minute="0"))
def bond_refund_reminders():
    return bond_refunds_remind()
