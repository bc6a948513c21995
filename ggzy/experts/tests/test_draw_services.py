"""The draw in the database: commitment in the ledger, the beacon gate, avoidance from registry data, notification,
confirmation, refusal and timeout redraw (via the Huey task's function), sign-in identity check, publication and
recomputation (``ggzy experts recompute``)."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.experts import selectors, services
from ggzy.experts.models import DrawStatus, ExpertPenalty, ExpertRelative
from ggzy.experts.notify import ConsoleSender
from ggzy.experts.tasks import draw_timeouts_task
from ggzy.ledger.services import checkpoint_issue
from ggzy.registry.tests.factories import MarketEntityFactory

from .factories import ExpertFactory

pytestmark = pytest.mark.django_db
SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "recompute_draw.py"


@pytest.fixture
def world(frozen_clock, centers, make_user):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    witness = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    bidder, tenderer, agency, dept = (MarketEntityFactory() for _ in range(4))
    experts = []
    for i in range(12):
        u = make_user(Role.EXPERT)
        experts.append(ExpertFactory(classifications=["A0101" if i % 2 else "A0102"], user=u, employer=None))
    conflicted = {
        "bidder": ExpertFactory(classifications=["A0101"], employer=bidder),
        "tenderer": ExpertFactory(classifications=["A0101"], employer=tenderer),
        "agency": ExpertFactory(classifications=["A0101"], employer=agency),
        "dept": ExpertFactory(classifications=["A0101"], employer=dept),
        "relative": ExpertFactory(classifications=["A0101"]),
        "penalised": ExpertFactory(classifications=["A0101"]),
    }
    ExpertRelative.objects.create(expert=conflicted["relative"], name="李四", relation="配偶", entity=bidder)
    ExpertPenalty.objects.create(
        expert=conflicted["penalised"],
        kind="bidding",
        reason="违规",
        decided_on=frozen_clock.today() - dt.timedelta(days=10),
    )
    conflicts = services.Conflicts(
        bidder_entity_ids=[bidder.pk],
        tenderer_entity_id=tenderer.pk,
        agency_entity_id=agency.pk,
        supervising_entity_ids=[dept.pk],
    )
    return {
        "staff": staff,
        "witness": witness,
        "experts": experts,
        "conflicted": conflicted,
        "conflicts": conflicts,
        "tenderer": tenderer,
        "clock": frozen_clock,
    }


def _request(world, needs=(("A01", 3),)):
    return services.draw_request_create(
        actor=world["staff"],
        subject_code="JN-2026-001-01",
        subject_title="测试标段",
        tenderer_entity_id=world["tenderer"].pk,
        needs=list(needs),
        conflicts=world["conflicts"],
        scheduled_at=world["clock"].now() + dt.timedelta(days=2),
        witness=world["witness"],
    )


def _run(world, request):
    checkpoint_issue()
    return services.draw_run(actor=world["staff"], request=request)


def test_commitment_in_ledger_and_no_draw_before_the_beacon(world):
    from ggzy.ledger.selectors import entry_get

    request = _request(world)
    entry = entry_get(index=request.commit_index)
    assert entry.action == "experts.draw.commit"
    from ggzy.ledger.selectors import entry_body

    body = json.dumps(entry_body(entry))
    assert request.seed_sha256 in body and request.seed not in body
    with pytest.raises(DomainError, match="检查点尚未签发"):
        services.draw_run(actor=world["staff"], request=request)
    request.refresh_from_db()
    assert request.status == DrawStatus.REQUESTED and not request.beacon


def test_draw_avoids_conflicts_notifies_and_records_time_requester_witness(
    world, django_capture_on_commit_callbacks
):
    ConsoleSender.sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = _run(world, _request(world))
    assert request.status == DrawStatus.DRAWN and request.witness == world["witness"]
    assert request.run_at and request.requested_by == world["staff"]
    drawn = list(request.drawn.select_related("expert"))
    assert len(drawn) == 3
    conflicted_ids = {e.pk for e in world["conflicted"].values()}
    assert not {d.expert_id for d in drawn} & conflicted_ids
    assert set(request.avoided) == {str(i) for i in conflicted_ids}
    assert {str(world["conflicted"]["relative"].pk): "relative_conflict"}.items() <= request.avoided.items()
    assert len(ConsoleSender.sent) == 3
    assert {i.expert_name for i in ConsoleSender.sent} == {d.expert.name for d in drawn}
    for inv in ConsoleSender.sent:  # no ID number in what the sender gets to log
        assert all(d.expert.id_number not in repr(inv) for d in drawn)


def test_shortfall_fails_with_a_clear_reason(world):
    request = _run(world, _request(world, needs=(("A0101", 7),)))
    assert request.status == DrawStatus.FAILED
    assert "A0101" in request.failure_reason and "缺 1 人" in request.failure_reason
    assert request.drawn.count() == 0


def test_witness_must_be_someone_else(world):
    with pytest.raises(DomainError) as err:
        services.draw_request_create(
            actor=world["staff"],
            subject_code="X",
            subject_title="",
            tenderer_entity_id=None,
            needs=[("A01", 1)],
            scheduled_at=world["clock"].now() + dt.timedelta(days=1),
            witness=world["staff"],
        )
    assert "witness" in err.value.errors


def test_bad_needs_named_in_chinese(world):
    with pytest.raises(DomainError) as err:
        _request(world, needs=(("Z99", 1),))
    assert err.value.errors["needs"] == ["专业分类代码不存在：Z99"]


def test_refusal_and_timeout_redraw_never_return_the_refuser_then_sign_in_and_recompute(world, tmp_path):
    request = _run(world, _request(world))
    first = list(request.drawn.select_related("expert__user").order_by("order"))
    # another user cannot answer for the expert
    with pytest.raises(NotAllowed):
        services.draw_answer(actor=world["staff"], drawn=first[0], accept=True)
    services.draw_answer(actor=first[0].expert.user, drawn=first[0], accept=False)
    services.draw_answer(actor=first[1].expert.user, drawn=first[1], accept=True)
    request.refresh_from_db()
    assert request.refusals == [first[0].pseudonym]
    holding = list(request.drawn.filter(state__in=["notified", "confirmed"]))
    assert len(holding) == 3 and first[0].expert_id not in {d.expert_id for d in holding}
    # the rest time out: the task redraws them
    world["clock"].advance(dt.timedelta(minutes=31))
    timed_out = draw_timeouts_task.call_local()
    assert timed_out == 2
    request.refresh_from_db()
    gone = {first[0].expert_id} | {d.expert_id for d in request.drawn.filter(state="timed_out")}
    live = list(request.drawn.filter(state__in=["notified", "confirmed"]).select_related("expert__user"))
    assert len(live) == 3 and not gone & {d.expert_id for d in live}
    for d in live:
        if d.state == "notified":
            services.draw_answer(actor=d.expert.user, drawn=d, accept=True)
    assert selectors.draw_is_complete(request)
    confirmed = selectors.draw_confirmed_experts(request)
    assert all(d.expert.user is not None for d in confirmed)
    # sign-in: a wrong ID number is refused, the right one accepted
    other = world["experts"][0] if world["experts"][0].pk != confirmed[0].expert_id else world["experts"][1]
    with pytest.raises(DomainError) as err:
        services.draw_sign_in(actor=world["staff"], drawn=confirmed[0], id_number=other.id_number)
    assert "id_number" in err.value.errors
    services.draw_sign_in(actor=world["staff"], drawn=confirmed[0], id_number=confirmed[0].expert.id_number)
    # publish, then recompute from the DB and with the standalone script
    services.draw_publish(request)
    request.refresh_from_db()
    out = io.StringIO()
    call_command("experts", "recompute", str(request.pk), stdout=out)
    assert "一致：公布结果可以复现" in out.getvalue()
    doc = selectors.draw_published_document(request)
    assert {r["id"] for r in doc["result"]} == {d.pseudonym for d in confirmed}
    assert set(doc["names"].values()) == {d.expert.name for d in confirmed}
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "MATCH" in done.stdout, done.stdout
    for d in confirmed:
        assert d.expert.name in done.stdout
    text = json.dumps(doc, ensure_ascii=False)
    for e in [*world["experts"], *world["conflicted"].values()]:
        assert e.id_number not in text and e.phone not in text


def test_recompute_refuses_an_unpublished_draw(world):
    request = _run(world, _request(world))
    with pytest.raises(CommandError, match="尚未公开"):
        call_command("experts", "recompute", str(request.pk))
    assert selectors.draw_published_document(request) is None


def test_failed_draw_is_published_and_recomputes_to_the_same_failure(world, tmp_path):
    # given a request for more A0101 experts than the pool can give (6 eligible, 7 wanted)
    request = _run(world, _request(world, needs=(("A0101", 7),)))
    assert request.status == DrawStatus.FAILED and request.published_at is not None
    # when the published document is read, recomputed from the DB and with the standalone script
    doc = selectors.draw_published_document(request)
    out = io.StringIO()
    call_command("experts", "recompute", str(request.pk), stdout=out)
    path = tmp_path / "failed.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60
    )
    # then the seed, beacon, eligible pseudonyms and the reason are public, nobody's name is, and both
    # recomputations report the same failure
    assert doc["failed"] is True and doc["failure_reason"] == request.failure_reason
    assert doc["seed"] == request.seed and doc["beacon"] == request.beacon
    assert len(doc["eligible"]) == 6 and doc["shortfall"] == {"A0101": 1}
    assert doc["names"] == {}
    assert "一致：公布结果可以复现" in out.getvalue() and "缺 1 人" in out.getvalue()
    assert done.returncode == 0 and "MATCH" in done.stdout and "FAILED" in done.stdout, done.stdout


def test_failed_draw_with_a_tampered_reason_or_eligible_list_does_not_recompute(world, tmp_path):
    # given the published document of a failed draw
    request = _run(world, _request(world, needs=(("A0101", 7),)))
    doc = selectors.draw_published_document(request)
    # when its reason is changed, or an eligible expert is added so the draw would not have failed
    wrong_reason = doc | {"failure_reason": "符合条件的专家不足：专业 A0101 缺 2 人"}
    extra = doc | {"eligible": [*doc["eligible"], {"id": "f" * 32, "classes": ["A0101"], "group": ""}]}
    results = []
    for i, variant in enumerate((wrong_reason, extra)):
        path = tmp_path / f"v{i}.json"
        path.write_text(json.dumps(variant, ensure_ascii=False), encoding="utf-8")
        results.append(
            subprocess.run([sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, timeout=60)
        )
    # then the script reports a mismatch for both
    for done in results:
        assert done.returncode == 1 and "MISMATCH" in done.stdout, done.stdout


def test_a_successful_draw_is_not_published_at_the_run(world):
    # given / when a draw that meets its needs runs
    request = _run(world, _request(world))
    # then nothing is public until the result is final
    assert request.status == DrawStatus.DRAWN and request.published_at is None
    assert selectors.draw_published_document(request) is None


def test_failed_draw_public_page_shows_the_reason_in_both_languages(world, client):
    from ggzy.experts.models import DrawRequest

    # given a failed draw and a draw still running
    failed = _run(world, _request(world, needs=(("A0101", 7),)))
    running = _run(world, _request(world))
    # when anyone opens their public pages, in Chinese and in English
    zh = client.get(f"/experts/draws/{failed.pk}/public/")
    en = client.get(f"/experts/draws/{failed.pk}/public/?lang=en")
    hidden = client.get(f"/experts/draws/{running.pk}/public/")
    # then the failed one shows its reason (data) under a translated label; the running one stays hidden
    assert zh.status_code == 200 and "抽取失败（结果可复算）：" in zh.content.decode()
    assert failed.failure_reason in zh.content.decode()
    assert en.status_code == 200 and "The draw failed (it can be recomputed): " in en.content.decode()
    assert hidden.status_code == 404
    assert DrawRequest.objects.get(pk=running.pk).published_at is None


def test_draw_candidates_are_the_drawable_experts_with_all_their_classes_in_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    # given experts of A0101 who may not be drawn (suspended, unavailable, away until after today), one who also
    # holds a classification outside the request, and one of another classification only
    today = world["clock"].today()
    suspended = ExpertFactory(classifications=["A0101"], status="suspended")
    unavailable = ExpertFactory(classifications=["A0101"], available=False)
    away = ExpertFactory(classifications=["A0101"], unavailable_until=today + dt.timedelta(days=1))
    back = ExpertFactory(classifications=["A0101"], unavailable_until=today - dt.timedelta(days=1))
    two = ExpertFactory(classifications=["A0101", "B01"])
    other = ExpertFactory(classifications=["B01"])
    request = _request(world, needs=(("A0101", 3),))
    # when the candidates are gathered
    with django_assert_max_num_queries(9):  # + ratings, unanswered invitations, credit (PostgreSQL: + the holders)
        candidates = selectors.draw_candidates(request)
    # then only drawable A0101 experts come, in id order, each with every classification it holds
    ids = [c.expert_id for c in candidates]
    assert ids == sorted(ids)
    assert not {suspended.pk, unavailable.pk, away.pk, other.pk} & set(ids)
    assert {back.pk, two.pk} <= set(ids)
    assert next(c for c in candidates if c.expert_id == two.pk).classifications == {"A0101", "B01"}
    relative = world["conflicted"]["relative"]
    assert next(c for c in candidates if c.expert_id == relative.pk).relative_entity_ids
    assert next(c for c in candidates if c.expert_id == world["conflicted"]["penalised"].pk).penalty_kinds == {
        "bidding"
    }


def test_avoidance_numbers_come_from_the_template_in_force_with_their_basis(world):
    from ggzy.catalog.choices import GENERAL_CATEGORY_CODE
    from ggzy.catalog.selectors import template_version_in_force

    # given the general template in force says 2 per employer, more than 5 times in 90 days
    version = template_version_in_force(
        category_code=GENERAL_CATEGORY_CODE, method="general", on_date=world["clock"].today()
    )
    for key, value in (
        ("expert_draw_max_per_employer", 2),
        ("expert_draw_max_times_for_tenderer", 5),
        ("expert_draw_times_window", 90),
    ):
        version.periods.filter(key=key).update(value=value)
    # when staff request a draw (they type none of these numbers) and it fails, so its document is public
    request = _run(world, _request(world, needs=(("A0101", 7),)))
    doc = selectors.draw_published_document(request)
    # then the request uses the template's numbers and keeps each with its label, basis and "verify" flag
    assert (request.max_per_employer, request.max_times_for_tenderer, request.window_days) == (2, 5, 90)
    basis = {r["key"]: r for r in request.rules_basis}
    assert basis["expert_draw_times_window"]["value"] == 90 and basis["expert_draw_times_window"]["verified"] is False
    assert all(r["basis"] and r["label"] for r in request.rules_basis)
    assert doc["rules"] == request.rules_basis and doc["max_per_employer"] == 2


def test_draw_request_without_the_template_numbers_names_the_missing_key_and_creates_nothing(world):
    from ggzy.catalog.models import TemplatePeriod
    from ggzy.experts.models import DrawRequest

    # given the template in force lacks the per-employer cap
    TemplatePeriod.objects.filter(key="expert_draw_max_per_employer").delete()
    # when staff request a draw
    with pytest.raises(DomainError) as err:
        _request(world)
    # then the error names the missing key, and no request exists
    assert "expert_draw_max_per_employer" in str(err.value.message)
    assert DrawRequest.objects.count() == 0


def test_request_page_shows_the_avoidance_numbers_used_and_their_basis(world, client):
    # given a draw request (numbers from the template in force)
    request = _request(world)
    # when its staff opens the request page in Chinese and English, and an anonymous visitor tries
    client.force_login(world["staff"])
    zh = client.get(f"/experts/draws/{request.pk}/").content.decode()
    en = client.get(f"/experts/draws/{request.pk}/?lang=en").content.decode()
    client.logout()
    anon = client.get(f"/experts/draws/{request.pk}/")
    # then each number is shown with its key, value, basis and the "verify" mark; anonymous is turned away
    assert 'id="draw-rules"' in zh and "expert_draw_max_per_employer" in zh and "待核实" in zh
    assert "Avoidance numbers (process template)" in en and "To be verified" in en, en[en.find("draw-rules") - 300 :][:600]
    assert anon.status_code in (302, 401, 403)


def test_staff_see_and_run_only_their_centers_draws(world, centers, make_user, client):
    from ggzy.experts.models import DrawRequest

    # given a Jinan draw, a Qingdao staff member and a provincial staff member
    request = _request(world)
    checkpoint_issue()
    qingdao = make_user(Role.CENTER_STAFF, center=centers["qingdao"])
    provincial = make_user(Role.CENTER_STAFF, center=centers["province"])
    # when the Qingdao staff member lists, opens and tries to run it
    listed = [d.pk for d in selectors.draws_visible(qingdao)]
    client.force_login(qingdao)
    page = client.get(f"/experts/draws/{request.pk}/")
    post = client.post(f"/experts/draws/{request.pk}/", {"action": "run"})
    with pytest.raises(NotAllowed):
        services.draw_run(actor=qingdao, request=request)
    # then it is not theirs: not listed, 404, and nothing ran; Jinan and provincial staff see it
    assert request.center == centers["jinan"] and request.pk not in listed
    assert page.status_code == 404 and post.status_code == 404
    assert DrawRequest.objects.get(pk=request.pk).status == DrawStatus.REQUESTED
    assert request.pk in [d.pk for d in selectors.draws_visible(world["staff"])]
    assert selectors.draw_get_for(provincial, request.pk) is not None
    assert selectors.draws_visible(None).count() == 0
