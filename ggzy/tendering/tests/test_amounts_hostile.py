"""Hostile amounts at every door of tendering: API, pages and the opening. Refused with the field named, nothing
stored; an unreadable decrypted price sheet makes only its own bid invalid and the opening goes on."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.core import clock
from ggzy.core.models import AuditEntry
from ggzy.tendering.choices import BidState, LotState
from ggzy.tendering.models import BankArrival, Bid, BidBond, Lot, Project
from ggzy.tendering.services import bidding, opening

from .conftest import bond_arrive, lot_ready, sign_up, statement_csv

pytestmark = pytest.mark.django_db

HOSTILE = ["1e15", "1e20", "1e40", "1e400", "NaN", "-0.001", "1.234", "Infinity", "100000000000000"]
PROJECTS = "/api/v1/tendering/projects"


def _project(price="5000000", lot_price="5000000", **lot):
    return {"title": "市政道路工程", "method": "works_open_tender", "region_code": "370112", "center_code": "370100",
            "estimated_price": price, "lots": [{"name": "一标段", "estimated_price": lot_price, **lot}]}


def _snapshot():
    return (Project.objects.count(), Lot.objects.count(), BidBond.objects.count(), Bid.objects.count(),
            BankArrival.objects.count(), AuditEntry.objects.count())


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("where", ["estimated_price", "lots.0.estimated_price"])
def test_project_amounts_refused_by_the_api(client, world, value, where):
    client.force_login(world.tenderer)
    payload = _project(price=value) if where == "estimated_price" else _project(lot_price=value)
    before = _snapshot()
    response = client.post(PROJECTS, payload, content_type="application/json")
    assert response.status_code == 400, response.content
    assert where in response.json()["errors"]
    assert _snapshot() == before


@pytest.mark.parametrize("raw", ['{"bond_amount": 1e20}', '{"bond_amount": 1e400}', '{"bond_amount": NaN}',
                                 '{"bond_amount": Infinity}'])
def test_json_numbers_in_exponent_form_or_nan_are_refused(client, world, raw):
    client.force_login(world.tenderer)
    draft = client.post(PROJECTS, _project(), content_type="application/json").json()["lots"][0]["id"]
    before = _snapshot()
    body = raw.replace("}", ', "notice_text": "公开招标"}')
    response = client.post(f"/api/v1/tendering/lots/{draft}/schedule", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert _snapshot() == before


@pytest.mark.parametrize("value", HOSTILE)
def test_bond_and_schedule_amounts_refused_by_the_api(client, world, value):
    # given a published lot the bidder signed up for
    lot = lot_ready(world)
    client.force_login(world.bidders[0])
    client.post(f"/api/v1/tendering/lots/{lot.pk}/signup")
    before = _snapshot()
    # when a bank statement brings a hostile amount to the bidder's sub-account
    subaccount = BidBond.objects.get().subaccount
    client.force_login(world.staff)
    data = statement_csv([["LS1", "2026-02-02 10:00:00", "甲", "3701000088889999", "工行", subaccount, value]])
    response = client.post("/api/v1/tendering/bonds/statements", {"file": SimpleUploadedFile("s.csv", data)})
    # then 400 naming the row and column, nothing stored
    assert response.status_code == 400 and "第2行“金额”列" in response.json()["errors"]["file"][0], response.content
    assert _snapshot() == before
    # and a draft lot's schedule refuses the same bond amount
    client.force_login(world.tenderer)
    draft = client.post(PROJECTS, _project(), content_type="application/json").json()["lots"][0]["id"]
    now = clock.now()
    response = client.post(f"/api/v1/tendering/lots/{draft}/schedule", {
        "notice_text": "公开招标", "documents_sale_end": (now + dt.timedelta(days=6)).isoformat(),
        "bid_deadline": (now + dt.timedelta(days=21)).isoformat(), "bond_amount": value}, content_type="application/json")
    assert response.status_code in (400, 409) and "bond_amount" in response.json()["errors"], response.content
    assert Lot.objects.get(pk=draft).bid_deadline is None


@pytest.mark.parametrize("value", ["1e2", "NaN", "100.5", "-1", "1.234"])
def test_price_weight_refused_by_the_api(client, world, value):
    client.force_login(world.tenderer)
    response = client.post(PROJECTS, _project(price_weight=value), content_type="application/json")
    assert response.status_code == 400 and "lots.0.price_weight" in response.json()["errors"], response.content
    assert Project.objects.count() == 0


@pytest.mark.parametrize("value", HOSTILE)
def test_price_sheet_amounts_refused_by_the_api(client, world, value):
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    client.force_login(world.bidders[0])
    for sheet, field in ((f'{{"total_price": "{value}"}}', "price_sheet.total_price"),
                         (f'{{"total_price": "100", "items": [{{"name": "土方", "amount": "{value}"}}]}}',
                          "price_sheet.items.0.amount")):
        before = _snapshot()
        response = client.post(f"/api/v1/tendering/lots/{lot.pk}/bid",
                               {"price_sheet": sheet, "files": [SimpleUploadedFile("a.pdf", b"abc")]})
        assert response.status_code == 400 and field in response.json()["errors"], response.content
        assert _snapshot() == before


@pytest.mark.parametrize("value", ["1e20", "NaN", "1.234"])
def test_pages_refuse_hostile_amounts_and_store_nothing(client, world, value):
    problem = "最多保留2位小数" if value == "1.234" else "须填写普通数字"
    # the project page
    client.force_login(world.tenderer)
    before = _snapshot()
    response = client.post("/tendering/projects/new/", {
        "title": "市政道路工程", "method": "works_open_tender", "region": "370112", "center": "370100",
        "estimated_price": value, "lot_name": "一标段"})
    assert response.status_code == 200 and f"估算价{problem}" in response.content.decode()
    assert _snapshot() == before
    # the statement import on the staff's bond page
    lot = lot_ready(world)
    client.force_login(world.bidders[0])
    client.post(f"/tendering/lots/{lot.pk}/act/signup/")
    before = _snapshot()
    client.force_login(world.staff)
    data = statement_csv([["LS1", "2026-02-02 10:00:00", "甲", "3701000088889999", "工行",
                           BidBond.objects.get().subaccount, value]])
    response = client.post("/tendering/bonds/act/statement/", {"file": SimpleUploadedFile("s.csv", data)}, follow=True)
    assert f"第2行“金额”列：金额{problem}" in response.content.decode()
    assert _snapshot() == before
    # the bid form
    bond_arrive(world, lot, 0)
    client.force_login(world.bidders[0])
    before = _snapshot()
    response = client.post(f"/tendering/lots/{lot.pk}/act/bid/",
                           {"total_price": value, "files": [SimpleUploadedFile("a.pdf", b"abc")]}, follow=True)
    assert f"投标总价{problem}" in response.content.decode()
    assert _snapshot() == before


def test_an_unreadable_decrypted_price_sheet_invalidates_that_bid_alone(client, world, monkeypatch):
    # given three bids, one of them carrying a price sheet written under older, looser rules (1e20)
    lot = lot_ready(world)
    sign_up(world, lot, [0, 1, 2])
    for i, price in enumerate(["7650000.00", "7480000.00"]):
        bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": price},
                           files=[bidding.IncomingFile("技术标.pdf", [b"proposal"])])
    monkeypatch.setattr(bidding, "price_sheet_clean", lambda sheet: sheet)
    bidding.bid_submit(actor=world.bidders[2], lot=lot, price_sheet={"total_price": "1e20", "duration_days": 10**30},
                       files=[bidding.IncomingFile("技术标.pdf", [b"proposal"])])
    monkeypatch.undo()
    # when the lot opens and every bid is decrypted
    clock.advance(dt.timedelta(days=21, minutes=1))
    opening.lot_open(actor=world.staff, lot=lot)
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    record = opening.opening_record_publish(actor=world.staff, lot=lot)
    # then that bid alone is invalid with its reason on the record, and the others are opened
    states = dict(Bid.objects.filter(lot=lot).values_list("bidder__name", "state"))
    assert sorted(states.values()) == [BidState.DEEMED_REVOKED, BidState.OPENED, BidState.OPENED]
    bad = next(r for r in record.rows if r["reason"])
    assert "报价单无法读取" in bad["reason"] and "投标总价" in bad["reason"] and bad["price"] is None
    assert Lot.objects.get(pk=lot.pk).state == LotState.OPENING
    # and the lot's pages keep answering for every role
    for user in (None, world.staff, world.bidders[2], world.tenderer):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        assert client.get(f"/tendering/lots/{lot.pk}/").status_code == 200
        assert client.get(f"/api/v1/tendering/lots/{lot.pk}").status_code == 200
    client.force_login(world.staff)
    assert client.get("/tendering/").status_code == 200
