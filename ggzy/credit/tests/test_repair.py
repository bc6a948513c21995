"""Credit repair: the conditions as checked when recorded, the review, and the outcome (off publication)."""

import datetime as dt

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.credit_code import credit_code_make
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.credit import publication, repair, services
from ggzy.credit.models import RepairState

pytestmark = pytest.mark.django_db

CODE = credit_code_make("91370100MA0000051")


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(dt.datetime(2026, 6, 15, 9, tzinfo=dt.UTC))


@pytest.fixture
def staff(make_user, centers):
    return make_user(Role.CENTER_STAFF, center=centers["jinan"])


def _violation(decided):
    return services.record_create(actor=None, subject_kind="entity", subject_key=CODE, subject_name="济南某公司",
                                  source="supervision", kind="violation", title="未按规定签订合同",
                                  authority="济南市住房和城乡建设局", decided_on=decided,
                                  valid_until=decided + dt.timedelta(days=365))


def test_an_approved_repair_takes_the_record_off_publication(staff):
    record = _violation(dt.date(2026, 2, 1))  # the 3-month minimum has passed
    assert publication.is_public(record)
    request = repair.repair_submit(actor=staff, record=record, applicant_name="济南某公司", statement="已整改，承诺守信",
                                   corrected=True, obligations_fulfilled=True, committed=True)
    assert all(c["met"] for c in request.conditions)
    with pytest.raises(Conflict, match="待审核"):
        repair.repair_submit(actor=staff, record=record, applicant_name="济南某公司", statement="再次申请",
                             corrected=True, obligations_fulfilled=True, committed=True)
    done = repair.repair_review(actor=staff, request=request, approve=True, note="材料齐全，准予修复")
    record.refresh_from_db()
    assert done.state == RepairState.APPROVED and record.unpublished_at is not None
    assert not publication.is_public(record)


def test_unmet_conditions_cannot_be_approved_only_rejected(staff):
    record = _violation(dt.date(2026, 5, 1))  # inside its minimum publication period
    request = repair.repair_submit(actor=staff, record=record, applicant_name="济南某公司", statement="申请修复",
                                   corrected=True, obligations_fulfilled=False, committed=True)
    unmet = {c["code"] for c in request.conditions if not c["met"]}
    assert unmet == {"min_period", "obligations"}
    with pytest.raises(Conflict, match="修复条件未满足"):
        repair.repair_review(actor=staff, request=request, approve=True, note="同意")
    with pytest.raises(DomainError):
        repair.repair_review(actor=staff, request=request, approve=False, note=" ")
    repair.repair_review(actor=staff, request=request, approve=False, note="未满最短公示期，未履行处罚义务")
    record.refresh_from_db()
    assert record.unpublished_at is None and publication.is_public(record)


def test_only_staff_record_and_review_repairs(make_user):
    record = _violation(dt.date(2026, 2, 1))
    with pytest.raises(NotAllowed):
        repair.repair_submit(actor=make_user(Role.BIDDER), record=record, applicant_name="x", statement="y")
