"""Referral of a confirmed alert to the department its power list names, the department's handling through the
transition table, the penalty decision's credit records (same transaction), deadlines and idempotent escalation."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.accounts.models import Notification
from ggzy.accounts.roles import Role
from ggzy.accounts.services import notify
from ggzy.catalog.calendar import add_working_days
from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.models import AuditEntry
from ggzy.credit.models import CreditRecord, CreditRestriction
from ggzy.supervision import selectors_referral as sel
from ggzy.supervision import services_referral as svc
from ggzy.supervision.models import Alert, Department, PowerItem, Referral, ReferralEscalation
from ggzy.tendering import tasks
from ggzy.tendering.tests.conftest import world  # noqa: F401

from .referral_world import bureau, confirm_red_alert  # noqa: F401
from .test_alerts import opened  # noqa: F401


@pytest.fixture
def red(world, opened):  # noqa: F811
    return confirm_red_alert(world, opened)


def _refer(world, red, item):  # noqa: F811
    return svc.referral_create(actor=world.staff, power_item_id=item.pk, alert=red, facts="两家投标人使用同一台电脑编制投标文件")


def test_the_power_list_is_seeded_and_offers_only_items_for_the_lots_trade_and_center(world, opened):  # noqa: F811
    # given the seeded lists (works lot of Jinan, catalog category 01)
    assert Department.objects.filter(code__in=["JN-ZJJ", "JN-JTJ", "JN-SWJ", "JN-CZJ", "JN-FGW"]).count() == 5
    # when the items for the lot are listed
    codes = {p.code for p in sel.power_items_for_lot(lot_id=opened.pk)}
    # then Jinan's and the province's works items are offered, no procurement item and nothing of Qingdao
    assert "JN-ZJJ-CF-001" in codes and "SD-ZJT-CF-001" in codes and "JN-JTJ-CF-001" in codes
    assert not any(c.startswith("QD-") or "CZ" in c for c in codes)


def test_staff_refer_a_confirmed_alert_and_its_evidence_hash_travels(world, red, bureau):  # noqa: F811
    dept, officer, item = bureau
    # when
    referral = _refer(world, red, item)
    # then the department is the item's, the deadline counts the item's working days, the alert is referred
    red.refresh_from_db()
    assert red.state == "referred"
    assert referral.department == dept and referral.state == "referred"
    assert referral.evidence_sha256 == red.evidence_sha256
    assert referral.due_on == add_working_days(clock.today(), item.time_limit_days).date
    assert {s["entity_id"] for s in referral.subjects} == set(red.subjects)
    assert referral.steps.get().action == "refer"
    assert AuditEntry.objects.filter(action="supervision.referral_refer", object_id=str(referral.pk)).exists()
    assert AuditEntry.objects.filter(action="supervision.alert_refer", object_id=str(red.pk)).exists()


def test_referring_refuses_items_off_the_list_open_alerts_and_outsiders(world, opened, bureau):  # noqa: F811
    dept, officer, item = bureau
    red = confirm_red_alert(world, opened)
    gp_item = PowerItem.objects.get(code="JN-CZJ-CF-101")
    # a procurement item is not on the list for a works lot
    with pytest.raises(DomainError) as err:
        svc.referral_create(actor=world.staff, power_item_id=gp_item.pk, alert=red, facts="x")
    assert "power_item" in err.value.errors
    with pytest.raises(DomainError):
        svc.referral_create(actor=world.staff, power_item_id="1e400", alert=red, facts="x")
    for lot_id in ("1e400", 10**30, -1, "NaN"):
        with pytest.raises(DomainError) as err:
            svc.referral_create(actor=world.staff, power_item_id=item.pk, lot_id=lot_id, facts="x", subject_ids=[1])
        assert "lot_id" in err.value.errors
    with pytest.raises(DomainError) as err:
        svc.referral_create(actor=world.staff, power_item_id=item.pk, lot_id=opened.pk, title="串通", facts="x",
                            subject_ids=["1e20"])
    assert "subjects" in err.value.errors
    # another center's staff and a supervisor may not refer
    for actor in (world.other_staff, officer):
        with pytest.raises(NotAllowed):
            svc.referral_create(actor=actor, power_item_id=item.pk, alert=red, facts="x")
    # an alert already referred cannot be referred again; nothing was created by the refusals
    _refer(world, red, item)
    with pytest.raises(Conflict):
        _refer(world, Alert.objects.get(pk=red.pk), item)
    assert Referral.objects.count() == 1


def test_the_department_handles_it_and_the_penalty_becomes_credit_records(world, red, bureau):  # noqa: F811
    dept, officer, item = bureau
    referral = _refer(world, red, item)
    codes = [s["credit_code"] for s in referral.subjects]
    # staff of the center cannot act for the department; no step may be skipped
    with pytest.raises(NotAllowed):
        svc.referral_act(actor=world.staff, referral=referral, action="accept", note="受理")
    with pytest.raises(Conflict):
        svc.referral_act(actor=officer, referral=referral, action="decide", note="x", outcome="penalty",
                         decision_no="济建罚〔2026〕1号", penalty="罚款", penalised=codes)
    svc.referral_act(actor=officer, referral=referral, action="accept", note="予以受理")
    svc.referral_act(actor=officer, referral=referral, action="investigate", note="调取投标文件与开标记录")
    # a bad decision changes nothing
    with pytest.raises(DomainError) as err:
        svc.referral_act(actor=officer, referral=referral, action="decide", note="串通投标", outcome="penalty",
                         decision_no="济建罚〔2026〕1号", penalty="罚款", restriction_months="NaN", penalised=codes)
    assert "restriction_months" in err.value.errors
    with pytest.raises(DomainError):
        svc.referral_act(actor=officer, referral=referral, action="decide", note="串通投标", outcome="penalty",
                         decision_no="济建罚〔2026〕1号", penalty="罚款", penalised=["91370000MA00000000"])
    assert Referral.objects.get(pk=referral.pk).state == "investigating" and not CreditRecord.objects.exists()
    # when the department decides a penalty with 6 months' bidding restriction
    referral = svc.referral_act(actor=officer, referral=referral, action="decide", note="认定串通投标",
                                outcome="penalty", decision_no="济建罚〔2026〕1号", penalty="罚款中标项目金额千分之五",
                                restriction_months="6", penalised=codes)
    # then one credit record per subject, restricted from bidding for 6 months, naming the referral
    records = CreditRecord.objects.filter(source="supervision", source_ref__startswith=f"referral:{referral.pk}:")
    assert sorted(r.subject_key for r in records) == sorted(codes)
    assert {s["record_no"] for s in referral.penalised} == {r.record_no for r in records}
    restriction = CreditRestriction.objects.filter(record__in=records).first()
    assert restriction.behaviour == "bid" and restriction.starts_on == clock.today()
    assert 181 <= (restriction.ends_on - clock.today()).days <= 184  # six calendar months
    assert all(r.authority == dept.name and r.decision_no == "济建罚〔2026〕1号" for r in records)
    svc.referral_act(actor=officer, referral=referral, action="close", note="办结")
    assert [s.to_state for s in Referral.objects.get(pk=referral.pk).steps.all()] == [
        "referred", "accepted", "investigating", "decided", "closed"]


def test_a_credit_failure_rolls_back_the_decision(world, red, bureau, monkeypatch):  # noqa: F811
    dept, officer, item = bureau
    referral = _refer(world, red, item)
    svc.referral_act(actor=officer, referral=referral, action="accept", note="受理")
    svc.referral_act(actor=officer, referral=referral, action="investigate", note="调查")

    def broken(**kwargs):
        raise DomainError("认定机关不正确", field="authority")

    monkeypatch.setattr(svc.credit, "record_create", broken)
    with pytest.raises(DomainError):
        svc.referral_act(actor=officer, referral=referral, action="decide", note="x", outcome="penalty",
                         decision_no="1", penalty="罚款", penalised=[referral.subjects[0]["credit_code"]])
    assert Referral.objects.get(pk=referral.pk).state == "investigating"
    assert not AuditEntry.objects.filter(action="supervision.referral_decide").exists()


def test_no_violation_creates_no_record_and_return_ends_it(world, red, bureau):  # noqa: F811
    dept, officer, item = bureau
    referral = _refer(world, red, item)
    svc.referral_act(actor=officer, referral=referral, action="accept", note="受理")
    svc.referral_act(actor=officer, referral=referral, action="investigate", note="调查")
    svc.referral_act(actor=officer, referral=referral, action="decide", note="证据不足", outcome="no_violation",
                     decision_no="济建不罚〔2026〕1号")
    assert not CreditRecord.objects.exists()


def test_overdue_referrals_escalate_once_to_the_next_level(world, red, bureau, make_user, centers):  # noqa: F811
    dept, officer, item = bureau
    boss = make_user(Role.SUPERVISOR, center=centers["province"])
    Department.objects.get(code="SD-ZJT").members.add(boss)
    referral = _refer(world, red, item)
    # before the deadline nothing happens
    assert svc.referrals_escalate_overdue(notify=notify) == 0
    # after it, one escalation to the provincial department, once however often the task runs
    clock.advance(dt.timedelta(days=(referral.due_on - clock.today()).days + 1))
    assert sel.is_overdue(Referral.objects.get(pk=referral.pk))
    assert tasks.referrals_overdue_escalate.call_local() == 1  # the daily Huey task
    assert svc.referrals_escalate_overdue(notify=notify) == 0
    row = ReferralEscalation.objects.get()
    assert row.to_department.code == "SD-ZJT" and row.notified == 1
    assert Notification.objects.filter(user=boss, link=f"/supervision/referrals/{referral.pk}/").count() == 1
    # the provincial department sees the referral; a Qingdao supervisor does not
    assert sel.referrals_visible(user=boss).filter(pk=referral.pk).exists()
    assert not sel.referrals_visible(user=make_user(Role.SUPERVISOR, center=centers["qingdao"])).exists()


def test_a_returned_referral_frees_the_alert_for_the_competent_department(world, red, bureau):  # noqa: F811
    dept, officer, item = bureau
    referral = _refer(world, red, item)
    # when the bureau returns it (not its matter)
    svc.referral_act(actor=officer, referral=referral, action="return", note="不属于本部门权责清单事项")
    # then the alert is confirmed again and can go to another department the list offers
    red.refresh_from_db()
    assert red.state == "confirmed" and Referral.objects.get(pk=referral.pk).state == "returned"
    other = PowerItem.objects.get(code="JN-JTJ-CF-001")
    again = svc.referral_create(actor=world.staff, power_item_id=other.pk, alert=red, facts="改由交通运输局办理")
    assert again.department.code == "JN-JTJ"
    # a returned referral takes no further step
    with pytest.raises(Conflict):
        svc.referral_act(actor=officer, referral=referral, action="accept", note="受理")
