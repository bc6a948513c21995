"""Scheduled work (Huey): the chronograph that opens lots at their deadline and decrypts their platform-sealed
bids, and bond-refund reminders.

Both are idempotent: opening an opened lot changes nothing, and reminders are sent at most once a day. Deadlines
are also enforced at request time, so a late or stopped scheduler never lets a late bid in. A lot that fails to
open is logged and retried on the next run; it never holds back the other lots due at the same minute.
"""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ggzy.accounts.services import notify
from ggzy.core import clock
from ggzy.supervision import services as supervision
from ggzy.supervision import services_referral

from .choices import LotState
from .models import Lot
from .services.bonds import bond_refunds_flag_overdue
from .services.hall import openings_decrypt_due
from .services.negotiation import final_quotations_open
from .services.opening import lot_open
from .services.result import bond_refunds_remind

logger = logging.getLogger(__name__)


def lots_open_due() -> int:
    """Open every published lot whose deadline has passed; returns how many were opened.

    Each lot opens in its own transaction; one that raises is rolled back, logged and left for the next run.
    The log names the lot only: no bid content or bidder identity goes into it.
    """
    due = Lot.objects.filter(state=LotState.PUBLISHED, bid_deadline__lte=clock.now()).values_list("pk", "code")
    count = 0
    for lot_id, code in list(due):
        try:
            lot_open(actor=None, lot=Lot.objects.get(pk=lot_id))
        except Exception:  # noqa: BLE001 — one bad lot must not stop the others; the next run retries it
            logger.exception("定时开标失败：标段 %s（id=%s），下次运行时重试", code, lot_id)
            continue
        count += 1
    return count


def final_quotations_open_due() -> int:
    """竞争性谈判: open the final quotations of every lot whose final-quotation deadline has passed (idempotent: a lot
    opened already is no longer in FINAL_QUOTING; each lot in its own transaction, a failure is logged and retried)."""
    due = Lot.objects.filter(state=LotState.FINAL_QUOTING, final_quote_deadline__lte=clock.now()) \
        .values_list("pk", "code")
    count = 0
    for lot_id, code in list(due):
        try:
            final_quotations_open(actor=None, lot=Lot.objects.get(pk=lot_id), system=True)
        except Exception:  # noqa: BLE001 — one bad lot must not stop the others; the next run retries it
            logger.exception("定时开启最后报价失败：标段 %s（id=%s），下次运行时重试", code, lot_id)
            continue
        count += 1
    return count


def openings_decrypt_due_safely() -> int:
    """Decrypt the platform-sealed bids of lots being opened (不见面开标: no human needed for them); a failure is
    logged and retried on the next run."""
    try:
        return openings_decrypt_due()
    except Exception:  # noqa: BLE001 — the next run retries; opening other lots went ahead already
        logger.exception("定时解密失败，下次运行时重试")
        return 0


@db_periodic_task(crontab(minute="*"))
def chronograph():
    opened = lots_open_due()
    openings_decrypt_due_safely()
    final_quotations_open_due()
    return opened


@db_periodic_task(crontab(hour="8", minute="0"))
def bond_refund_reminders():
    return bond_refunds_remind()


@db_periodic_task(crontab(hour="0", minute="10"))
def bond_refund_overdue_flags():
    """Flag bond refunds past their due date (each once) and tell the center's staff."""
    return bond_refunds_flag_overdue()


@db_task()
def alerts_after_opening(lot_id: int) -> int:
    """Run the lot indicators once the opening record is published (queued on commit by the publish service)."""
    run = supervision.alerts_run(lot_id=lot_id, trigger="opening")
    return run.created if run is not None else 0


ALERTS_NIGHTLY_DAYS = 7


@db_periodic_task(crontab(hour="2", minute="30"))
def alerts_nightly() -> int:
    """Re-run the lot indicators over the lots opened in the last week (new indicator versions, late data)."""
    return supervision.alerts_run_recent(days=ALERTS_NIGHTLY_DAYS)


@db_periodic_task(crontab(hour="7", minute="30"))
def referrals_overdue_escalate() -> int:
    """Mark referrals past their handling deadline (each once per deadline) and tell the next level's supervisors."""
    return services_referral.referrals_escalate_overdue(notify=notify)
