"""Ratings and penalties feed later draws (issue 13 item 6): an expert rated low over enough ratings, or with too
many penalties plus unanswered invitations within the template's window, is avoided with its own reason code — and
the published draw still recomputes (the avoidance result is the eligible list, an input of the recomputation)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from ggzy.accounts.roles import Role
from ggzy.experts import drawing, selectors, services
from ggzy.experts.models import DrawnExpert, DrawnState, DrawRequest, ExpertPenalty, ExpertRating
from ggzy.ledger.services import checkpoint_issue
from ggzy.registry.tests.factories import MarketEntityFactory

from .factories import ExpertFactory

pytestmark = pytest.mark.django_db
SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "recompute_draw.py"


@pytest.fixture
def world(frozen_clock, centers, make_user):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    witness = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    tenderer = MarketEntityFactory()
    good = [ExpertFactory(classifications=["A0101"], employer=None) for _ in range(6)]
    return {"staff": staff, "witness": witness, "tenderer": tenderer, "good": good, "clock": frozen_clock}


def _rate(world, expert, points_each: int, n: int, *, days_ago: int = 10) -> None:
    """``n`` ratings of ``expert`` with every mark equal to ``points_each``, ``days_ago`` days back."""
    for i in range(n):
        ExpertRating.objects.create(
            expert=expert, subject_code=f"R-{expert.pk}-{days_ago}-{i}", rater_role="center",
            attendance=points_each, punctuality=points_each, quality=points_each, conduct=points_each,
            rated_at=world["clock"].now() - dt.timedelta(days=days_ago), rated_by=world["staff"],
        )


def _timed_out(world, expert, *, days_ago: int = 20) -> None:
    """An invitation of ``expert`` in an older draw left unanswered until it timed out."""
    at = world["clock"].now() - dt.timedelta(days=days_ago)
    old = DrawRequest.objects.create(
        subject_code=f"OLD-{expert.pk}-{days_ago}", subject_title="旧抽取", needs=[["A01", 1]], scheduled_at=at,
        requested_by=world["staff"], requested_at=at,
    )
    DrawnExpert.objects.create(
        request=old, expert=expert, pseudonym=f"{expert.pk:032d}", need="A01", order=0,
        state=DrawnState.TIMED_OUT, notified_at=at, answer_deadline=at + dt.timedelta(minutes=30),
    )


def _request(world, needs=(("A01", 3),)):
    return services.draw_request_create(
        actor=world["staff"], subject_code="JN-2026-013-01", subject_title="测试标段",
        tenderer_entity_id=world["tenderer"].pk, needs=list(needs),
        scheduled_at=world["clock"].now() + dt.timedelta(days=2), witness=world["witness"],
    )


def _penalty(world, expert, kind: str = "other", *, days_ago: int = 30, until_days: int | None = 0) -> None:
    today = world["clock"].today()
    ExpertPenalty.objects.create(
        expert=expert, kind=kind, reason="迟到早退", decided_on=today - dt.timedelta(days=days_ago),
        until=None if until_days is None else today - dt.timedelta(days=days_ago - until_days),
    )


def test_low_ratings_and_penalties_plus_no_shows_in_the_window_are_avoided_with_their_codes(
    world, django_assert_max_num_queries
):
    # given the template's numbers in force (seeded, "verify"): average below 3 over at least 3 ratings; more
    # than 2 penalties + unanswered invitations, both within 360 days
    low = ExpertFactory(classifications=["A0101"])
    _rate(world, low, 2, 3)  # average 2 over 3 ratings
    few = ExpertFactory(classifications=["A0101"])
    _rate(world, few, 1, 2)  # average 1, but only 2 ratings: not enough to judge
    old_low = ExpertFactory(classifications=["A0101"])
    _rate(world, old_low, 1, 3, days_ago=400)  # low, but outside the window
    fine = ExpertFactory(classifications=["A0101"])
    _rate(world, fine, 3, 3)  # exactly the threshold: not below it
    careless = ExpertFactory(classifications=["A0101"])
    _penalty(world, careless)  # an "other" measure, already over: counts in the window, avoids nothing alone
    _timed_out(world, careless)
    _timed_out(world, careless, days_ago=40)  # 3 incidents > 2
    two = ExpertFactory(classifications=["A0101"])
    _penalty(world, two)
    _timed_out(world, two)  # 2 incidents: not above the limit
    long_ago = ExpertFactory(classifications=["A0101"])
    for days in (400, 500, 600):
        _timed_out(world, long_ago, days_ago=days)  # outside the window
    request = _request(world)
    basis = {r["key"]: r for r in request.rules_basis}
    assert basis["expert_draw_rating_min"]["value"] == 3 and basis["expert_draw_rating_min"]["verified"] is False
    assert basis["expert_draw_record_window"]["value"] == 360
    # when the candidates are gathered (a fixed number of queries: on PostgreSQL +1, the holders read first) and avoidance runs
    with django_assert_max_num_queries(9):
        candidates = selectors.draw_candidates(request)
    by_id = {c.expert_id: c for c in candidates}
    assert (by_id[low.pk].rating_count, by_id[low.pk].rating_points) == (3, 24)
    assert by_id[old_low.pk].rating_count == 0 and by_id[long_ago.pk].incidents == 0
    assert by_id[careless.pk].incidents == 3 and by_id[two.pk].incidents == 2
    _eligible, avoided = drawing.avoid(candidates, selectors.draw_rules(request))
    # then each is avoided with its own reason code, the others stay eligible
    assert avoided == {low.pk: drawing.R_LOW_RATING, careless.pk: drawing.R_INCIDENTS}


def test_a_draw_never_returns_the_avoided_and_still_recomputes(world, tmp_path):
    # given an expert rated low and one with too many unanswered invitations, among six good ones
    low, careless = ExpertFactory(classifications=["A0101"]), ExpertFactory(classifications=["A0101"])
    _rate(world, low, 1, 4)
    for days in (5, 6, 7):
        _timed_out(world, careless, days_ago=days)
    # when a draw of all who remain runs (6 needed: only the good ones can fill it)
    request = _request(world, needs=(("A01", 6),))
    checkpoint_issue()
    request = services.draw_run(actor=world["staff"], request=request)
    # then neither is drawn, their reasons are kept internally, and the published draw recomputes
    assert request.status == "drawn"
    assert {d.expert_id for d in request.drawn.all()} == {e.pk for e in world["good"]}
    assert request.avoided == {str(low.pk): "low_rating", str(careless.pk): "penalties_no_shows"}
    services.draw_publish(request)
    request.refresh_from_db()
    out = io.StringIO()
    call_command("experts", "recompute", str(request.pk), stdout=out)
    assert "一致：公布结果可以复现" in out.getvalue()
    doc = selectors.draw_published_document(request)
    assert len(doc["eligible"]) == 6
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "MATCH" in done.stdout, done.stdout


def test_a_request_made_before_the_rules_existed_does_not_apply_them(world):
    # given a low-rated expert and a request whose recorded rules predate the new keys
    low = ExpertFactory(classifications=["A0101"])
    _rate(world, low, 1, 5)
    request = _request(world)
    request.rules_basis = [r for r in request.rules_basis if not r["key"].startswith(("expert_draw_rating",
                                                                                      "expert_draw_incidents",
                                                                                      "expert_draw_record"))]
    # when avoidance runs, the rule is off for that request (as it was when it was made)
    _eligible, avoided = drawing.avoid(selectors.draw_candidates(request), selectors.draw_rules(request))
    assert low.pk not in avoided


def test_template_numbers_of_the_record_rules_come_from_the_template_in_force(world):
    from ggzy.catalog.choices import GENERAL_CATEGORY_CODE
    from ggzy.catalog.selectors import template_version_in_force

    # given the template in force says: below 4.5 over at least 1 rating, more than 0 incidents, in 30 days
    version = template_version_in_force(
        category_code=GENERAL_CATEGORY_CODE, method="general", on_date=world["clock"].today()
    )
    for key, value in (("expert_draw_rating_min", "4.5"), ("expert_draw_rating_count_min", 1),
                       ("expert_draw_incidents_max", 0), ("expert_draw_record_window", 30)):
        version.periods.filter(key=key).update(value=value)
    rated = ExpertFactory(classifications=["A0101"])
    _rate(world, rated, 4, 1)  # average 4 < 4.5
    once = ExpertFactory(classifications=["A0101"])
    _timed_out(world, once, days_ago=10)  # 1 > 0
    before = ExpertFactory(classifications=["A0101"])
    _timed_out(world, before, days_ago=31)  # outside 30 days
    request = _request(world)
    rules = selectors.draw_rules(request)
    assert (str(rules.rating_min), rules.rating_count_min, rules.incidents_max) == ("4.5", 1, 0)
    _eligible, avoided = drawing.avoid(selectors.draw_candidates(request), rules)
    assert avoided == {rated.pk: drawing.R_LOW_RATING, once.pk: drawing.R_INCIDENTS}


def _credit(world, expert, behaviour: str = "expert_draw", *, ends_in_days: int | None = 100):
    from ggzy.credit import services as credit_services

    today = world["clock"].today()
    return credit_services.record_create(
        actor=None, subject_kind="expert", subject_key=expert.pk, subject_name=expert.name, source="supervision",
        kind="serious_breach", title="评标中违规", facts="收受投标人财物", authority="济南市住房和城乡建设局",
        decision_no="济建罚〔2026〕3号", decided_on=today - dt.timedelta(days=5),
        valid_until=None if ends_in_days is None else today + dt.timedelta(days=ends_in_days),
        restrictions=[{"behaviour": behaviour}],
    )


def test_a_credit_restriction_of_the_expert_draw_in_force_avoids_the_expert_with_reason_credit(world, tmp_path):
    # given an expert restricted from expert draws, one restricted only from bidding, one whose restriction ended
    restricted, bidding_only, ended = (ExpertFactory(classifications=["A0101"]) for _ in range(3))
    _credit(world, restricted)
    _credit(world, bidding_only, "bid")
    _credit(world, ended, ends_in_days=100)
    world["clock"].advance(dt.timedelta(days=101))  # the third record's restriction is over
    _credit(world, restricted, ends_in_days=None)  # and a second, open-ended one for the first
    # when candidates are gathered and avoidance runs
    request = _request(world, needs=(("A01", 8),))
    candidates = {c.expert_id: c for c in selectors.draw_candidates(request)}
    _eligible, avoided = drawing.avoid(candidates.values(), selectors.draw_rules(request))
    # then only the expert restricted from expert draws today is avoided, with the code "credit"
    assert candidates[restricted.pk].credit_restricted and not candidates[ended.pk].credit_restricted
    assert avoided == {restricted.pk: drawing.R_CREDIT}
    # and a real draw never returns them, and recomputes
    checkpoint_issue()
    request = services.draw_run(actor=world["staff"], request=request)
    assert request.status == "drawn" and restricted.pk not in {d.expert_id for d in request.drawn.all()}
    assert request.avoided == {str(restricted.pk): "credit"}
    services.draw_publish(request)
    out = io.StringIO()
    call_command("experts", "recompute", str(request.pk), stdout=out)
    assert "一致：公布结果可以复现" in out.getvalue()
