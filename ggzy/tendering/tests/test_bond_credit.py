"""Bond reduction for trustworthy firms (issue 18 item 3): where the template's bid_bond_credit_reduction_percent is
above 0, a bidder with a reward record in force (or credit grade A) owes the reduced bond and its bond status says
why; other bidders still owe the full bond; the template's default 0 reduces nothing; nothing is logged."""

import datetime as dt

import pytest

from ggzy.catalog.models import TemplatePeriod
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.core.models import AuditEntry
from ggzy.credit import services as credit_services
from ggzy.ledger.models import LogEntry
from ggzy.tendering import services
from ggzy.tendering.services import bidding, bonds

from .conftest import bond_arrive, lot_ready

pytestmark = pytest.mark.django_db
KEY = "bid_bond_credit_reduction_percent"


def _bid(world, lot, i=0):
    return bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": "7600000.00"},
                              files=[bidding.IncomingFile("a.pdf", [b"proposal"])])


def _reduction(lot, percent):
    row = TemplatePeriod.objects.get(version_id=lot.project.template_version_id, key=KEY)
    assert row.value == 0 and not row.is_verified  # seeded off, marked verify
    TemplatePeriod.objects.filter(pk=row.pk).update(value=percent)


def _credit(entity, kind="reward", title="省级守信激励对象", evidence=None):
    today = clock.today()
    return credit_services.record_create(
        actor=None, subject_kind="entity", subject_key=entity.credit_code, subject_name=entity.name,
        source="supervision", kind=kind, title=title, authority="山东省住房和城乡建设厅", decision_no="鲁建信〔2026〕3号",
        decided_on=today, valid_from=today, valid_until=today + dt.timedelta(days=365), evidence=evidence or {})


def _signed_up(world, *bidders):
    lot = lot_ready(world)
    for i in bidders:
        services.signup_create(actor=world.bidders[i], lot=lot)
    return lot


def test_rewarded_firm_bids_with_the_reduced_bond_others_still_owe_the_full_one(world, client):
    lot = _signed_up(world, 0, 1)
    _reduction(lot, 50)
    record = _credit(world.bidder_entities[0])
    bond_arrive(world, lot, 0, amount="5000")
    bond_arrive(world, lot, 1, amount="5000")
    audits, logs = AuditEntry.objects.count(), LogEntry.objects.count()
    last_audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    # the rewarded firm's status: ¥5,000 owed, arrived, and why
    status = services.bond_status(actor=world.bidders[0], lot=lot)
    assert status.state == bonds.ARRIVED and status.required_text == "¥5,000.00" and status.blocked_reason == ""
    assert status.reduction_reason.startswith("守信激励减免投标保证金 50%") and record.record_no in status.reduction_reason
    assert "原应缴 ¥10,000.00" in status.reduction_reason
    # the other firm: still the full bond, no reduction
    other = services.bond_status(actor=world.bidders[1], lot=lot)
    assert other.state == bonds.SHORT and other.reduction_reason == "" and other.required_text == "¥10,000.00"
    # reading the statuses logged nothing (sealed: nobody learns who bids)
    assert (AuditEntry.objects.count(), LogEntry.objects.count()) == (audits, logs)
    assert _bid(world, lot, 0).pk
    with pytest.raises(DomainError) as err:
        _bid(world, lot, 1)
    assert err.value.errors["bond"] == ["保证金不足：应缴 ¥10,000.00，已到账 ¥5,000.00"]
    # the bid's own (sealed) entries do not mention the reduction either
    later = [str(e.after) + str(e.object_repr) for e in AuditEntry.objects.filter(pk__gt=last_audit)]
    assert later and not any("守信" in text or "减免" in text for text in later)
    # the bidder's own page and API say why
    client.force_login(world.bidders[0])
    assert "减免依据" in client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    api = client.get(f"/api/v1/tendering/lots/{lot.pk}/bond").json()
    assert api["required"] == "5000.00" and api["full_amount"] == "10000.00" and record.record_no in api["reduction_reason"]


def test_template_off_means_no_reduction(world):
    lot = _signed_up(world, 0)
    _credit(world.bidder_entities[0])  # rewarded, but the template's percentage stays 0
    bond_arrive(world, lot, 0, amount="5000")
    status = services.bond_status(actor=world.bidders[0], lot=lot)
    assert status.state == bonds.SHORT and status.reduction_reason == "" and status.required_text == "¥10,000.00"
    with pytest.raises(DomainError) as err:
        _bid(world, lot, 0)
    assert err.value.errors["bond"] == ["保证金不足：应缴 ¥10,000.00，已到账 ¥5,000.00"]


def test_grade_a_without_a_reward_record_also_counts_and_an_expired_reward_does_not(world):
    lot = _signed_up(world, 0, 1)
    _reduction(lot, 30)
    # bidder 0: four good performance ratings → 80 + 4×3 = 92 → grade A
    for n in range(4):
        _credit(world.bidder_entities[0], kind="performance", title=f"履约评价优良{n}", evidence={"rating": "good"})
    status = services.bond_status(actor=world.bidders[0], lot=lot)
    assert status.required_text == "¥7,000.00" and "信用等级 A（92分）" in status.reduction_reason
    # bidder 1: a reward record whose validity ended yesterday: full bond
    today = clock.today()
    credit_services.record_create(
        actor=None, subject_kind="entity", subject_key=world.bidder_entities[1].credit_code,
        subject_name=world.bidder_entities[1].name, source="supervision", kind="reward", title="往年守信激励",
        authority="山东省住房和城乡建设厅", decided_on=today - dt.timedelta(days=400),
        valid_from=today - dt.timedelta(days=400), valid_until=today - dt.timedelta(days=1))
    assert services.bond_status(actor=world.bidders[1], lot=lot).required_text == "¥10,000.00"


def test_full_waiver_lets_the_rewarded_firm_bid_without_paying(world):
    lot = _signed_up(world, 0)
    _reduction(lot, 100)
    _credit(world.bidder_entities[0])
    status = services.bond_status(actor=world.bidders[0], lot=lot)
    assert status.state == bonds.WAIVED and status.required_text == "¥0.00" and "免缴" in status.reduction_reason
    assert _bid(world, lot, 0).pk


def test_a_guarantee_for_the_reduced_amount_is_accepted_for_the_rewarded_firm_only(world):
    from .test_bonds import _guarantee

    lot = _signed_up(world, 0, 1)
    _reduction(lot, 50)
    # no reward yet: a ¥5,000 guarantee is short of the full bond
    _guarantee(world, lot, number="BH-2026-0005", amount="5000")
    with pytest.raises(DomainError) as err:
        services.bond_guarantee_submit(actor=world.bidders[0], lot=lot, number="BH-2026-0005")
    assert "保函金额不足：应缴 ¥10,000.00，保函金额 ¥5,000.00" in err.value.errors["guarantee_number"][0]
    # with a reward in force the same guarantee covers the reduced bond and the bid goes in
    _credit(world.bidder_entities[0])
    services.bond_guarantee_submit(actor=world.bidders[0], lot=lot, number="BH-2026-0005")
    assert services.bond_status(actor=world.bidders[0], lot=lot).state == bonds.GUARANTEED
    assert _bid(world, lot, 0).pk
