"""Publishing a listing: the center's form and the API, refusals naming the field (nothing published), and a listing
nobody but its center and grantor sees before its announcement time."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from ggzy.accounts.models import User
from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.rights.models import RightsListing
from ggzy.rights.tests.factories import SHANGHAI

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(make_user, centers):
    clock.freeze(NOW)
    return {"staff": make_user(Role.CENTER_STAFF, center=centers["jinan"]),
            "grantor": make_user(Role.TENDERER, username="chuangrang"), "bidder": make_user(Role.BIDDER),
            "admin": make_user(Role.ADMIN)}


def _form(**changes) -> dict[str, object]:
    """The form as a person fills it: local times without a zone (datetime-local), amounts as typed."""
    form = {"kind": "land_listing", "code": "JN-2026-T01", "title": "历城区某地块国有建设用地使用权",
            "grantor": "", "announced_at": "2026-03-02T10:00", "registration_opens_at": "2026-03-02T10:00",
            "registration_closes_at": "2026-04-18T16:00", "listing_starts_at": "2026-04-01T09:00",
            "listing_ends_at": "2026-04-20T10:00", "start_price": "8,800,000", "increment": "50000",
            "deposit": "1760000", "quote_ceiling": "", "appraised_value": "", "approval_reference": ""}
    form["grantor"] = changes.pop("grantor", None) or User.objects.get(username="chuangrang").pk
    return form | changes


def test_the_form_offers_defaults_that_publish_and_the_listing_stays_private_until_announced(people):
    staff = login(people["staff"])
    page = staff.get("/rights/new/")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="listing_starts_at"' in html and "2026-04-01T09:00" in html
    answer = staff.post("/rights/new/", _form())
    listing = RightsListing.objects.get(code="JN-2026-T01")
    assert answer.status_code == 302 and answer["Location"] == f"/rights/{listing.pk}/"
    assert listing.grantor == people["grantor"] and listing.center.code == "370100"
    assert listing.start_price == 8_800_000 and listing.listing_starts_at == dt.datetime(2026, 4, 1, 9, tzinfo=SHANGHAI)
    # announced at 10:00: at 09:00 the public, a bidder and the API do not see it; its center and grantor do
    anonymous = Client()
    assert anonymous.get(f"/rights/{listing.pk}/").status_code == 404
    assert anonymous.get(f"/api/v1/rights/listings/{listing.pk}/hall").status_code == 404
    assert anonymous.get(f"/rights/{listing.pk}/events/").status_code == 404
    assert "JN-2026-T01" not in anonymous.get("/rights/").content.decode()
    assert all(row["code"] != "JN-2026-T01" for row in anonymous.get("/api/v1/rights/listings").json())
    assert "JN-2026-T01" not in login(people["bidder"]).get("/rights/").content.decode()
    assert "JN-2026-T01" in staff.get("/rights/").content.decode()
    assert login(people["grantor"]).get(f"/rights/{listing.pk}/").status_code == 200
    clock.freeze(NOW + dt.timedelta(hours=1, minutes=1))
    assert anonymous.get(f"/rights/{listing.pk}/").status_code == 200
    assert "JN-2026-T01" in anonymous.get("/rights/").content.decode()


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"code": ""}, "code", "项目编号"),
    ({"start_price": "1e400"}, "start_price", "起始价"),
    ({"increment": "NaN"}, "increment", "增价幅度"),
    ({"grantor": "999999"}, "grantor", "出让方"),
    ({"listing_starts_at": "not a time"}, "listing_starts_at", "挂牌（报价）开始"),
    ({"announced_at": ""}, "announced_at", "公告时间"),
    ({"listing_starts_at": "2026-03-10T09:00"}, "listing_starts_at", ""),  # under the template's 20 days' notice
    ({"kind": "barter"}, "kind", "交易方式"),
])
def test_the_form_refuses_naming_the_field_and_publishes_nothing(people, changes, field, words):
    answer = login(people["staff"]).post("/rights/new/", _form(**changes))
    html = answer.content.decode()
    assert answer.status_code == 400 and f'data-field="{field}"' in html and words in html
    assert 'value="历城区某地块国有建设用地使用权"' in html  # what was typed is kept
    assert not RightsListing.objects.exists()


def test_only_the_center_publishes(people):
    assert login(people["bidder"]).get("/rights/new/").status_code == 403
    assert login(people["grantor"]).post("/rights/new/", _form()).status_code == 403
    assert not RightsListing.objects.exists()
    # an administrator names the center
    assert login(people["admin"]).post("/rights/new/", _form()).status_code == 404
    assert login(people["admin"]).post("/rights/new/?center=370200", _form()).status_code == 302
    assert RightsListing.objects.get().center.code == "370200"


def test_api_publishes_and_refuses_in_chinese(people):
    staff = login(people["staff"])
    body = {"kind": "property_single_quote", "code": "JN-2026-P01", "title": "某国有企业所持子公司股权",
            "grantor_id": people["grantor"].pk, "announced_at": "2026-03-02T10:00:00+08:00",
            "registration_opens_at": "2026-03-02T10:00:00+08:00", "registration_closes_at": "2026-04-28T16:00:00+08:00",
            "listing_starts_at": "2026-04-20T09:00:00+08:00", "listing_ends_at": "2026-04-30T10:00:00+08:00",
            "start_price": "5000000", "increment": "10000", "deposit": "500000", "quote_ceiling": "9000000",
            "appraised_value": "5000000"}
    answer = staff.post("/api/v1/rights/listings", json.dumps(body), content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["code"] == "JN-2026-P01" and answer.json()["kind"] == "property_single_quote"
    listing = RightsListing.objects.get(code="JN-2026-P01")
    assert listing.quote_ceiling == 9_000_000 and listing.appraised_value == 5_000_000
    again = staff.post("/api/v1/rights/listings", json.dumps(body | {"code": "JN-2026-P02", "quote_ceiling": None}),
                       content_type="application/json")
    assert again.status_code == 400 and "quote_ceiling" in again.json()["errors"]
    hostile = staff.post("/api/v1/rights/listings", json.dumps(body | {"code": "JN-2026-P03", "deposit": "1e20"}),
                         content_type="application/json")
    assert hostile.status_code == 400 and "deposit" in json.dumps(hostile.json()["errors"])
    bad_time = staff.post("/api/v1/rights/listings", json.dumps(body | {"code": "JN-2026-P04", "announced_at": "x"}),
                          content_type="application/json")
    assert bad_time.status_code == 400 and "announced_at" in json.dumps(bad_time.json(), ensure_ascii=False)
    refused = login(people["bidder"]).post("/api/v1/rights/listings", json.dumps(body | {"code": "JN-2026-P05"}),
                                           content_type="application/json")
    assert refused.status_code == 403
    assert RightsListing.objects.count() == 1


def test_the_center_records_deposits_and_decides_qualifications_on_the_hall(make_user, centers):
    from ggzy.rights.models import RightsRegistration
    from ggzy.rights.services import registration

    from .factories import listing_make

    clock.freeze(NOW)
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], staff=staff, listing_ends_at=NOW + dt.timedelta(days=30))
    clock.freeze(listing.registration_opens_at + dt.timedelta(hours=1))
    first = registration.registration_apply(actor=make_user(Role.BIDDER), listing_id=listing.pk)
    second = registration.registration_apply(actor=make_user(Role.BIDDER), listing_id=listing.pk)
    desk = login(staff)
    hall = desk.get(f"/rights/{listing.pk}/").content.decode()
    assert f'id="registration-{first.pk}-approve"' in hall and 'name="reference"' in hall
    base = f"/rights/{listing.pk}/registrations"
    low = desk.post(f"{base}/{first.pk}/deposit/", {"amount": "1", "reference": "BK-1"}, follow=True)
    assert "到账金额低于公告要求的竞买保证金" in low.content.decode()
    desk.post(f"{base}/{first.pk}/deposit/", {"amount": str(listing.deposit), "reference": "BK-20260302-1"})
    done = desk.post(f"{base}/{first.pk}/qualification/", {"decision": "approve"}, follow=True)
    assert "资格审查已通过" in done.content.decode()
    first.refresh_from_db()
    assert first.state == "admitted" and first.paddle is not None and first.deposit_reference == "BK-20260302-1"
    no_reason = desk.post(f"{base}/{second.pk}/qualification/", {"decision": "refuse", "reason": " "}, follow=True)
    assert "请填写未通过原因" in no_reason.content.decode()
    assert RightsRegistration.objects.get(pk=second.pk).state == "applied"
    desk.post(f"{base}/{second.pk}/qualification/", {"decision": "refuse", "reason": "营业执照已过期"})
    assert RightsRegistration.objects.get(pk=second.pk).state == "refused"
    # another listing's address, another center's staff, a bidder: refused, nothing changed
    other = listing_make(make_user, centers["jinan"], staff=staff, listing_ends_at=NOW + dt.timedelta(days=31))
    third = registration.registration_apply(actor=make_user(Role.BIDDER), listing_id=listing.pk)
    wrong = desk.post(f"/rights/{other.pk}/registrations/{third.pk}/qualification/", {"decision": "approve"},
                      follow=True)
    assert "竞买申请不存在" in wrong.content.decode()
    qingdao = login(make_user(Role.CENTER_STAFF, center=centers["qingdao"]))
    assert "只能办理本中心的项目" in qingdao.post(f"{base}/{third.pk}/qualification/", {"decision": "approve"},
                                             follow=True).content.decode()
    assert login(make_user(Role.BIDDER)).post(f"{base}/{third.pk}/qualification/",
                                              {"decision": "approve"}).status_code == 403
    assert RightsRegistration.objects.get(pk=third.pk).qualified_at is None
