"""Browser: the draw and pool pages on a 390×844 phone, in Chinese and in English — draw request, draw detail, the
published draw, the expert's invitation, pool health, the lot's expert ratings, adding an expert, relatives: nothing
sticks out horizontally, and in English no Chinese text is left outside data (``tests.test_english_mode``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.experts import services as expert_services
from ggzy.experts.tests.factories import ExpertFactory
from ggzy.ledger.services import checkpoint_issue
from ggzy.tendering.models import CommitteeMember, EvaluationReport
from tests.test_english_mode import _data_strings, chinese_runs
from tests.test_phone_layout import OUTSIDE

from .conftest import lot_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _phone(browser, live_server, user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
                          "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _draws(world, make_user):
    witness = make_user(Role.CENTER_STAFF, center=world.center)
    for _ in range(5):
        ExpertFactory(classifications=["A0101"], user=make_user(Role.EXPERT))
    made = []
    for code in ("JN-PHONE-01", "JN-PHONE-02"):
        request = expert_services.draw_request_create(
            actor=world.staff, subject_code=code, subject_title="手机端测试标段", tenderer_entity_id=None,
            needs=[("A01", 2)], scheduled_at=clock.now() + dt.timedelta(days=1), witness=witness)
        checkpoint_issue()
        expert_services.draw_run(actor=world.staff, request=request)
        made.append(request)
    published = made[1]
    for drawn in published.drawn.select_related("expert__user"):
        expert_services.draw_answer(actor=drawn.expert.user, drawn=drawn, accept=True)
    expert_services.draw_publish(published)
    invited = made[0].drawn.select_related("expert__user").first().expert
    return made[0], published, invited


def test_draw_and_pool_pages_fit_a_phone_in_chinese_and_english(browser, live_server, world, make_user, tmp_path):
    # given a draw in progress, a published draw, a lot whose report is signed, an expert with a relative
    running, published, invited = _draws(world, make_user)
    expert_services.relative_declare(actor=invited.user, expert=invited, name="李四", relation="配偶",
                                     employer_name="某设计院")
    lot = lot_ready(world)
    rated = ExpertFactory(user=world.experts[0])
    CommitteeMember.objects.create(lot=lot, user=world.experts[0], seat="expert_technical",
                                   appointed_at=clock.now(), source="draw", expert_ref=rated.pk)
    EvaluationReport.objects.create(lot=lot, ranking=[], method="comprehensive", content_sha256="0" * 64,
                                    created_at=clock.now(), completed_at=clock.now())
    pages = [
        (world.staff, "/experts/draws/"),
        (world.staff, f"/experts/draws/{running.pk}/"),
        (None, f"/experts/draws/{published.pk}/public/"),
        (invited.user, "/experts/invitations/"),
        (world.staff, "/experts/"),
        (world.tenderer, f"/tendering/lots/{lot.pk}/expert-ratings/"),
        (world.staff, f"/tendering/lots/{lot.pk}/expert-ratings/"),
        (world.staff, "/experts/pool/new/"),
        (invited.user, "/experts/me/relatives/"),
        (world.staff, f"/experts/pool/{invited.pk}/relatives/"),
    ]
    data = _data_strings()
    wide, chinese, statuses = {}, {}, {}
    # when each page is opened at 390×844 in Chinese, then in English
    for user, url in pages:
        if user is None:
            context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
            page = context.new_page()
        else:
            context, page = _phone(browser, live_server, user)
        for lang in ("zh-hans", "en"):
            response = page.goto(f"{live_server.url}{url}?lang={lang}")
            # a redirect (to sign-in) would end on another page: the final address must be the page asked for
            statuses[(url, lang)] = (response.status if response else 0) if url in page.url else page.url
            outside = page.evaluate(OUTSIDE)
            if outside:
                wide[(url, lang)] = outside[:5]
            if lang == "en":
                runs = chinese_runs(page.content(), data)
                if runs:
                    chinese[url] = runs[:10]
        if url.endswith("/expert-ratings/") and user == world.tenderer:
            # the tenderer's side before the result is final: members by number, no names
            assert page.locator("#names-hidden").count() == 1
            assert world.experts[0].display_name not in page.inner_text("main")
            shot = tmp_path / "ratings-tenderer-en.png"
            page.screenshot(path=str(shot), full_page=True)
            print("screenshot:", shot)
        if url == "/experts/pool/new/":
            shot = tmp_path / "expert-add-en.png"
            page.screenshot(path=str(shot), full_page=True)
            print("screenshot:", shot)
        context.close()
    # then
    assert all(status == 200 for status in statuses.values()), statuses
    assert not wide, wide
    assert not chinese, chinese
