"""The lot's expert-ratings page never shows the committee members' names to the tenderer's side before the
result is final (DOMAIN.md: expert names secret until the result is final for everyone but the center and the
committee): the tenderer rates "expert 1, 2, …" until then; the center sees the names once the report is signed."""

from __future__ import annotations

import pytest

from ggzy.core import clock
from ggzy.experts.models import ExpertRating
from ggzy.experts.tests.factories import ExpertFactory
from ggzy.tendering.models import CommitteeMember, EvaluationReport

from .conftest import lot_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated_lot(world):
    lot = lot_ready(world)
    experts = []
    for user in world.experts[:2]:
        user.display_name = f"保密姓名{user.pk}"
        user.save(update_fields=["display_name"])
        expert = ExpertFactory(user=user, name=user.display_name)
        CommitteeMember.objects.create(lot=lot, user=user, seat="expert_technical", appointed_at=clock.now(),
                                       source="draw", expert_ref=expert.pk)
        experts.append(expert)
    EvaluationReport.objects.create(lot=lot, ranking=[], method="comprehensive", content_sha256="0" * 64,
                                    created_at=clock.now(), completed_at=clock.now())
    return lot, experts


def _page(client, user, lot, lang="zh-hans"):
    client.force_login(user)
    response = client.get(f"/tendering/lots/{lot.pk}/expert-ratings/?lang={lang}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_tenderer_sees_no_names_before_the_result_is_final_the_center_does(world, rated_lot, client):
    lot, experts = rated_lot
    names = [str(m.user) for m in CommitteeMember.objects.filter(lot=lot).select_related("user").order_by("id")]
    assert all(names)
    # given the report is signed but the result is not final
    # when the tenderer opens the page (Chinese, English)
    for user in (world.tenderer,):
        for lang in ("zh-hans", "en"):
            html = _page(client, user, lot, lang)
            # then no member's name (nor username) is on it; they rate by number
            assert not any(name in html for name in names), user
            assert not any(m.user.username in html for m in CommitteeMember.objects.filter(lot=lot))
            assert 'id="names-hidden"' in html and 'id="rate-' in html
        assert "评标专家 1" in _page(client, user, lot)
    # the center sees the names
    assert all(name in _page(client, world.staff, lot) for name in names)


def test_the_tenderer_rates_by_number_and_sees_the_names_once_the_result_is_final(world, rated_lot, client):
    lot, experts = rated_lot
    member = CommitteeMember.objects.filter(lot=lot).order_by("id").first()
    client.force_login(world.tenderer)
    # when the tenderer rates expert 1 without knowing the name
    response = client.post(f"/tendering/lots/{lot.pk}/expert-ratings/", {
        "member": member.pk, "attendance": 5, "punctuality": 4, "quality": 4, "conduct": 5})
    assert response.status_code == 302
    rating = ExpertRating.objects.get(rater_role="tenderer")
    assert rating.expert_id == member.expert_ref
    html = _page(client, world.tenderer, lot)
    assert str(member.user) not in html and 'data-rated="1"' in html
    # and once the result is final, the names are shown to the tenderer too
    lot.result_final_at = clock.now()
    lot.save(update_fields=["result_final_at"])
    html = _page(client, world.tenderer, lot)
    assert str(member.user) in html and 'id="names-hidden"' not in html
