"""Ratings of centers and agencies: only the lot's parties once the result is final, one per rater, lot and subject;
scores refused in Chinese; the anonymous third-party channel and its limit; the supervisors' summary; the agency's
average where a tenderer chooses its agency."""

from __future__ import annotations

import json

import pytest

from ggzy.accounts.roles import Role
from ggzy.centers.models import ServiceRating
from ggzy.centers.selectors_ratings import agency_averages, rating_summary
from ggzy.centers.services_ratings import third_party_rating_submit
from ggzy.core.errors import Conflict, DomainError, NotAllowed, TooManyRequests
from ggzy.core.models import AuditEntry
from ggzy.registry.models import MarketEntityAccount
from ggzy.supervision.tests.test_alerts import opened  # noqa: F401
from ggzy.tendering.models import Lot
from ggzy.tendering.service_ratings import lot_service_rate
from ggzy.tendering.tests.conftest import bond_arrive, lot_ready, seat_committee, world  # noqa: F401

GOOD = {"compliance": 5, "efficiency": "4", "attitude": 4, "transparency": 3, "comment": "开标准时，流程规范"}


@pytest.fixture
def final_lot(world, opened):  # noqa: F811
    """The opened lot, its project entrusted to the world's agency, its result final (awarded)."""
    agency = MarketEntityAccount.objects.get(user=world.agency).entity
    opened.project.agency = agency
    opened.project.save(update_fields=["agency"])
    Lot.objects.filter(pk=opened.pk).update(state="awarded")
    return Lot.objects.select_related("project__center", "project__agency").get(pk=opened.pk)


def test_a_bidder_cannot_rate_before_the_result_is_final(world, opened):  # noqa: F811
    with pytest.raises(NotAllowed):
        lot_service_rate(actor=world.bidders[0], lot=opened, subject="center", data=GOOD)
    assert ServiceRating.objects.count() == 0


def test_parties_rate_the_center_and_agency_once_and_others_cannot(world, final_lot):  # noqa: F811
    # given the final lot; when a bidder rates the center and the agency, and the tenderer the center
    audit_before = AuditEntry.objects.count()
    lot_service_rate(actor=world.bidders[0], lot=final_lot, subject="center", data=GOOD)
    lot_service_rate(actor=world.bidders[0], lot=final_lot, subject="agency", data=GOOD)
    tenderer = lot_service_rate(actor=world.tenderer, lot=final_lot, subject="center", data=GOOD)
    # then three ratings, audited, marked by who rated
    assert ServiceRating.objects.count() == 3 and AuditEntry.objects.count() == audit_before + 3
    assert tenderer.rater_kind == "tenderer" and tenderer.efficiency == 4
    # when the bidder rates the center again, a firm that did not bid rates, the agency rates itself
    with pytest.raises(Conflict, match="只能评价一次"):
        lot_service_rate(actor=world.bidders[0], lot=final_lot, subject="center", data=GOOD)
    with pytest.raises(NotAllowed):
        lot_service_rate(actor=world.bidders[3], lot=final_lot, subject="center", data=GOOD)
    with pytest.raises(NotAllowed):
        lot_service_rate(actor=world.agency, lot=final_lot, subject="center", data=GOOD)
    # then nothing more is stored
    assert ServiceRating.objects.count() == 3


@pytest.mark.parametrize(("over", "field"), [
    ({"compliance": 6}, "compliance"), ({"efficiency": 0}, "efficiency"), ({"attitude": "4.5"}, "attitude"),
    ({"transparency": True}, "transparency"), ({"compliance": "1e0"}, "compliance"), ({"compliance": None}, "compliance"),
    ({"comment": "长" * 501}, "comment"),
], ids=["six", "zero", "fraction", "bool", "exponent", "missing", "long-comment"])
def test_bad_scores_are_refused_in_chinese_and_nothing_is_stored(world, final_lot, over, field):  # noqa: F811
    with pytest.raises(DomainError) as caught:
        lot_service_rate(actor=world.bidders[1], lot=final_lot, subject="center", data={**GOOD, **over})
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.errors[field][0])
    assert ServiceRating.objects.count() == 0


def test_third_party_ratings_are_marked_and_limited_per_address(world, final_lot, settings):  # noqa: F811
    # given a limit of 2 per hour
    settings.GGZY_THIRD_PARTY_RATING_LIMIT = 2
    for _ in range(2):
        third_party_rating_submit(subject="center", center=final_lot.project.center, data=GOOD, address="10.1.1.1")
    # when a third comes from the same address and one from another
    with pytest.raises(TooManyRequests):
        third_party_rating_submit(subject="center", center=final_lot.project.center, data=GOOD, address="10.1.1.1")
    third_party_rating_submit(subject="center", center=final_lot.project.center, data=GOOD, address="10.1.1.2")
    # then three, all third party, with no rater
    rows = ServiceRating.objects.all()
    assert rows.count() == 3 and {r.rater_kind for r in rows} == {"third_party"} and not any(r.rater_id for r in rows)
    # and a non-agency cannot be rated as an agency
    with pytest.raises(DomainError, match="不是招标代理机构"):
        third_party_rating_submit(subject="agency", agency=world.bidder_entities[0], data=GOOD, address="10.1.1.3")


def test_the_summary_averages_per_center_and_agency(world, final_lot):  # noqa: F811
    # given two ratings of the center (5,4,4,3 and 1,2,2,1) and one of the agency
    lot_service_rate(actor=world.bidders[0], lot=final_lot, subject="center", data=GOOD)
    lot_service_rate(actor=world.bidders[1], lot=final_lot, subject="center",
                     data={"compliance": 1, "efficiency": 2, "attitude": 2, "transparency": 1})
    lot_service_rate(actor=world.tenderer, lot=final_lot, subject="agency", data=GOOD)
    # when
    centers = rating_summary(subject="center")
    agencies = rating_summary(subject="agency")
    # then the averages are by criterion and overall
    assert [(r["count"], r["compliance"], r["efficiency"], r["overall"]) for r in centers] == [(2, 3.0, 3.0, 2.75)]
    assert agencies[0]["overall"] == 4.0 and agencies[0]["name"] == final_lot.project.agency.name
    assert agency_averages(entity_ids=[final_lot.project.agency_id]) == {
        final_lot.project.agency_id: {"overall": 4.0, "count": 1}}


def test_pages_and_api(client, world, final_lot, make_user):  # noqa: F811
    # the summary page: supervisors yes, a bidder no
    supervisor = make_user(Role.SUPERVISOR, center=world.center)
    client.force_login(world.bidders[0])
    assert client.get("/centers/ratings/").status_code == 403
    # a bidder finds the rating page from the lot page and rates there; a bad score is refused on the page
    assert 'id="service-rating-link"' in client.get(f"/tendering/lots/{final_lot.pk}/").content.decode()
    page = client.get(f"/tendering/lots/{final_lot.pk}/service-rating/")
    assert page.status_code == 200 and 'id="rate-agency"' in page.content.decode()
    bad = client.post(f"/tendering/lots/{final_lot.pk}/service-rating/", {"subject": "center", "compliance": "9"})
    assert bad.status_code == 400 and "依法规范评分应为1到5的整数" in bad.content.decode()
    client.post(f"/tendering/lots/{final_lot.pk}/service-rating/", {"subject": "center", **GOOD})
    assert 'id="rated-center"' in client.get(f"/tendering/lots/{final_lot.pk}/service-rating/").content.decode()
    # the API: the tenderer rates the agency; a repeat is 409
    client.force_login(world.tenderer)
    url = f"/api/v1/tendering/lots/{final_lot.pk}/service-ratings"
    first = client.post(url, json.dumps({"subject": "agency", **GOOD}), content_type="application/json")
    again = client.post(url, json.dumps({"subject": "agency", **GOOD}), content_type="application/json")
    assert first.status_code == 201 and again.status_code == 409
    # the tenderer sees the agency's average where it chooses an agency
    form = client.get("/tendering/projects/new/").content.decode()
    assert final_lot.project.agency.name in form and "4.0" in form
    # anonymous third party through the API, and the supervisor's summary
    client.logout()
    third = client.post("/api/v1/centers/ratings/third-party", json.dumps(
        {"subject": "center", "center_code": final_lot.project.center.code, **GOOD}), content_type="application/json")
    assert third.status_code == 201 and third.json()["rater_kind"] == "third_party"
    client.force_login(supervisor)
    summary = client.get("/api/v1/centers/ratings/summary").json()
    assert summary["centers"][0]["count"] == 2 and summary["centers"][0]["third_party"] == 1
    body = client.get("/centers/ratings/").content.decode()
    assert 'class="bar-chart rating-chart"' in body and final_lot.project.center.name in body
