"""The lot's expert rating page: the tenderer/agency and the lot's center rate each drawn expert once, after the
evaluation report is signed by everyone; nobody else reaches the page and a refused rating changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.experts import selectors as expert_selectors
from ggzy.experts.models import ExpertRating
from ggzy.experts.tests.factories import ExpertFactory
from ggzy.registry.models import MarketEntityAccount
from ggzy.registry.tests.factories import MarketEntityFactory
from ggzy.tendering.models import CommitteeMember, EvaluationReport

from .conftest import lot_ready

MARKS = {"attendance": "5", "punctuality": "4", "quality": "3", "conduct": "5", "comment": "认真负责"}


def _committee(world, lot, *, signed=True):
    expert = ExpertFactory(user=world.experts[0])
    member = CommitteeMember.objects.create(lot=lot, user=world.experts[0], seat="expert_technical", appointed_at=clock.now(),
                                            source="draw", expert_ref=expert.pk)
    EvaluationReport.objects.create(lot=lot, ranking=[], method="comprehensive", content_sha256="0" * 64,
                                    created_at=clock.now(), completed_at=clock.now() if signed else None)
    return expert, member


def _url(lot):
    return reverse("tendering:lot_expert_ratings", args=[lot.pk])


def test_anonymous_is_sent_to_login_and_nothing_is_rated(world, client):
    # given
    lot = lot_ready(world)
    _expert, member = _committee(world, lot)
    # when
    response = client.post(_url(lot), {"member": member.pk, **MARKS})
    # then
    assert response.status_code == 302 and "login" in response["Location"]
    assert not ExpertRating.objects.exists()


def test_a_bidder_is_refused_and_nothing_is_rated(world, client):
    # given
    lot = lot_ready(world)
    _expert, member = _committee(world, lot)
    client.force_login(world.bidders[0])
    # when
    response = client.post(_url(lot), {"member": member.pk, **MARKS})
    # then
    assert response.status_code == 403
    assert not ExpertRating.objects.exists()


def test_another_tenderer_and_another_centers_staff_do_not_see_the_lot(world, client, make_user):
    # given
    lot = lot_ready(world)
    _expert, member = _committee(world, lot)
    other = make_user(Role.TENDERER)
    MarketEntityAccount.objects.create(user=other, entity=MarketEntityFactory(name="另一招标人有限公司"),
                                       linked_at=clock.now())
    for user in (other, world.other_staff):
        client.force_login(user)
        # when
        page = client.get(_url(lot))
        post = client.post(_url(lot), {"member": member.pk, **MARKS})
        # then
        assert page.status_code == 404 and post.status_code == 404
    assert not ExpertRating.objects.exists()


def test_the_tenderer_rates_an_expert_once_and_it_feeds_the_performance(world, client):
    # given
    lot = lot_ready(world)
    expert, member = _committee(world, lot)
    client.force_login(world.tenderer)
    # when
    first = client.post(_url(lot), {"member": member.pk, **MARKS})
    again = client.post(_url(lot), {"member": member.pk, **MARKS, "quality": "1"})
    # then
    assert first.status_code == 302
    assert again.status_code == 400 and "本标段已评价过该专家" in again.content.decode()
    rating = ExpertRating.objects.get()
    assert (rating.rater_role, rating.subject_code, rating.quality) == ("tenderer", lot.code, 3)
    assert expert_selectors.expert_performance(expert).ratings == 1
    assert 'data-rated="1"' in client.get(_url(lot)).content.decode()


def test_the_agency_rates_for_the_tenderers_side_and_the_center_for_its_own(world, client):
    # given
    lot = lot_ready(world)
    lot.project.agency = MarketEntityAccount.objects.get(user=world.agency).entity
    lot.project.save(update_fields=["agency"])
    _expert, member = _committee(world, lot)
    # when
    client.force_login(world.agency)
    by_agency = client.post(_url(lot), {"member": member.pk, **MARKS})
    client.force_login(world.staff)
    by_center = client.post(_url(lot), {"member": member.pk, **MARKS})
    # then
    assert by_agency.status_code == 302 and by_center.status_code == 302
    assert sorted(ExpertRating.objects.values_list("rater_role", flat=True)) == ["center", "tenderer"]


def test_before_the_report_is_signed_nobody_rates(world, client):
    # given
    lot = lot_ready(world)
    _expert, member = _committee(world, lot, signed=False)
    client.force_login(world.tenderer)
    # when
    page = client.get(_url(lot))
    post = client.post(_url(lot), {"member": member.pk, **MARKS})
    # then
    assert page.status_code == 200 and 'id="not-signed"' in page.content.decode()
    assert post.status_code == 404
    assert not ExpertRating.objects.exists()


@pytest.mark.parametrize("field,value", [("quality", "6"), ("conduct", "abc"), ("attendance", "1e400")])
def test_a_bad_mark_is_refused_naming_the_mark_and_nothing_changes(world, client, field, value):
    # given
    lot = lot_ready(world)
    _expert, member = _committee(world, lot)
    client.force_login(world.tenderer)
    # when
    response = client.post(_url(lot), {"member": member.pk, **MARKS, field: value})
    # then
    assert response.status_code == 400 and "应为1至5的整数" in response.content.decode()
    assert not ExpertRating.objects.exists()


def test_the_page_in_english_has_no_chinese_ui_text(world, client):
    # given
    lot = lot_ready(world)
    _committee(world, lot)
    client.force_login(world.tenderer)
    # when
    html = client.get(_url(lot) + "?lang=en").content.decode()
    # then
    for text in ("评标专家履职评价", "出勤", "守时", "评审质量", "职业操守", "提交评价", "评语"):
        assert text not in html
    assert "Rate the evaluation experts" in html


def test_the_lot_page_links_to_the_ratings_only_for_raters_once_signed(world, client):
    # given
    lot = lot_ready(world)
    _committee(world, lot, signed=False)
    client.force_login(world.tenderer)
    before = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    EvaluationReport.objects.filter(lot=lot).update(completed_at=clock.now())
    # when
    after = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    client.force_login(world.bidders[0])
    bidder = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    # then
    assert 'id="rate-experts"' not in before
    assert 'id="rate-experts"' in after
    assert 'id="rate-experts"' not in bidder


def test_a_rating_below_the_template_threshold_records_poor_performance_in_credit(world, client):
    from ggzy.credit import evaluation
    from ggzy.credit.models import CreditRecord

    lot = lot_ready(world)
    expert, member = _committee(world, lot)
    client.force_login(world.tenderer)
    # the template's threshold is an average of 2 (of 5): 1, 2, 1, 2 averages 1.5
    low = {"attendance": "1", "punctuality": "2", "quality": "1", "conduct": "2", "comment": "迟到且未按评标办法评审"}
    assert client.post(_url(lot), {"member": member.pk, **low}).status_code == 302
    record = CreditRecord.objects.get(source="expert_rating")
    rating = ExpertRating.objects.get()
    assert (record.subject_kind, record.subject_key, record.kind) == ("expert", str(expert.pk), "performance")
    assert record.source_ref == f"rating:{rating.pk}" and record.publication == "internal"
    assert record.evidence["rating"] == "poor" and lot.code in record.title
    score = evaluation.score_compute("expert", str(expert.pk))
    assert [line["record_no"] for line in score["lines"]] == [record.record_no] and score["score"] < score["base"]
    # the center's rating at the threshold or above records nothing more
    client.force_login(world.staff)
    fair = {"attendance": "2", "punctuality": "2", "quality": "2", "conduct": "2"}
    assert client.post(_url(lot), {"member": member.pk, **fair}).status_code == 302
    assert CreditRecord.objects.filter(source="expert_rating").count() == 1 and ExpertRating.objects.count() == 2
