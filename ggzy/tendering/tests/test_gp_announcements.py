"""GP result and contract announcements within their working days (政府采购法实施条例 Arts. 43, 50; 待核实): the
deadlines from the working-day calendar, shown to the agency, overdue ones flagged in the workspace warnings."""

import datetime as dt

import pytest
from django.utils import timezone

from ggzy.core import clock
from ggzy.core.errors import Conflict, NotAllowed
from ggzy.disclosure.models import Notice
from ggzy.tendering.models import Lot
from ggzy.tendering.selectors_gp_deadlines import announcement_deadlines
from ggzy.tendering.selectors_workspace import warnings_for_supervisor
from ggzy.tendering.services import result

from .test_gp_single_source_award import concluded_single_source_lot

pytestmark = pytest.mark.django_db


def test_result_and_contract_announcement_deadlines_and_contract_notice(world):
    # given a single-source result confirmed (deal recorded) and announced on the same day
    lot = concluded_single_source_lot(world)
    (result_deadline,) = announcement_deadlines(lot)
    assert result_deadline.kind == "result" and result_deadline.period == "2个工作日"
    confirmed = timezone.localtime(result_deadline.starts_at)
    # 2026-03-10 + 8 days = Tuesday the 10th: two working days later is Thursday the 12th
    assert confirmed.date() == dt.date(2026, 3, 10)
    assert timezone.localtime(result_deadline.due).date() == dt.date(2026, 3, 12)
    assert result_deadline.done_at is not None and not result_deadline.is_overdue
    # when the award is issued and the contract signed on Friday the 13th
    clock.advance(dt.timedelta(days=3))
    result.award_issue(actor=world.tenderer, lot=lot)
    contract = result.contract_record(actor=world.tenderer, lot=lot, amount="860000", signed_on=dt.date(2026, 3, 13),
                                      content=b"%PDF-1.4 contract")
    # then the contract announcement is due two working days after signing: Tuesday the 17th (weekend skipped)
    assert timezone.localtime(contract.notice_due).date() == dt.date(2026, 3, 17)
    lot = Lot.objects.get(pk=lot.pk)
    assert [d.kind for d in announcement_deadlines(lot)] == ["result", "contract"]
    # nobody but the owner side may publish it
    with pytest.raises(NotAllowed):
        result.contract_notice_publish(actor=world.bidders[0], lot=lot)
    # when it is still unpublished after the deadline the center's workspace flags it
    clock.freeze(timezone.make_aware(dt.datetime(2026, 3, 18, 10)))
    kinds = [w.kind for w in warnings_for_supervisor(user=world.staff)]
    assert "contract_notice_overdue" in kinds
    # publishing late is recorded as late, once
    published = result.contract_notice_publish(actor=world.tenderer, lot=lot)
    assert published.notice_published_at > published.notice_due
    assert Notice.objects.filter(notice_type="contract", body__contains="860,000.00").exists()
    with pytest.raises(Conflict, match="已发布"):
        result.contract_notice_publish(actor=world.tenderer, lot=lot)
    assert "contract_notice_overdue" not in [w.kind for w in warnings_for_supervisor(user=world.staff)]
    contract_deadline = announcement_deadlines(Lot.objects.get(pk=lot.pk))[1]
    assert contract_deadline.is_overdue  # late, still shown as such


def test_no_contract_notice_before_the_contract(world):
    lot = concluded_single_source_lot(world)
    with pytest.raises(Conflict, match="合同尚未备案"):
        result.contract_notice_publish(actor=world.tenderer, lot=lot)
    assert not Notice.objects.filter(notice_type="contract").exists()


def test_result_announcement_overdue_is_flagged(world):
    # given a GP open tender whose panel report is signed by all (the result confirmed) but not announced
    from ggzy.tendering.services import evaluation

    from .test_gp_brand_and_sme import SHEETS, _evaluated

    report = _evaluated(world, SHEETS)
    lot = report.lot
    for member in lot.committee.select_related("user"):
        evaluation.report_sign(actor=member.user, lot=lot)
    (deadline,) = announcement_deadlines(Lot.objects.get(pk=lot.pk))
    assert deadline.kind == "result" and deadline.done_at is None and not deadline.is_overdue
    assert "result_notice_overdue" not in [w.kind for w in warnings_for_supervisor(user=world.staff)]
    # when three working days pass without the result announcement
    clock.advance(dt.timedelta(days=5))
    # then the workspace flags it, and announcing it clears the flag
    assert "result_notice_overdue" in [w.kind for w in warnings_for_supervisor(user=world.staff)]
    result.candidates_publish(actor=world.tenderer, lot=lot)
    assert "result_notice_overdue" not in [w.kind for w in warnings_for_supervisor(user=world.staff)]
    assert announcement_deadlines(Lot.objects.get(pk=lot.pk))[0].is_overdue  # published late
