"""The pool's pages at 390 px (a phone), in Chinese and English: no horizontal overflow; the import page's progress
finishes by itself (htmx polling) after an upload through the browser."""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from .factories import ExpertFactory
from .test_import_messy import MESSY, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user) -> None:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
    )


def test_pool_pages_fit_a_phone_and_the_import_finishes_on_its_page(
    page, live_server, make_user, centers, tmp_path, settings
):
    settings.HUEY = {**settings.HUEY, "immediate": True}
    staff = make_user("center_staff", center=centers["jinan"])
    expert_user = make_user("expert")
    expert = ExpertFactory(user=expert_user, classifications=["A08", "B01"])
    _sign_in(page, live_server, staff)
    # an upload through the browser: the report page shows the finished import with its rows and conflicts
    upload = tmp_path / "济南市专家库.xlsx"
    upload.write_bytes(xlsx(MESSY))
    page.goto(live_server.url + "/experts/imports/")
    page.fill("input[name=source]", "济南市专家库")
    page.set_input_files("input[name=file]", str(upload))
    page.click("button.primary")
    page.wait_for_selector("#import-status")
    page.wait_for_function("document.querySelector('#import-status').textContent.includes('已完成')")
    page.goto(page.url)  # the full report
    assert page.locator("text=身份证号码校验位错误").count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    wide = []
    report_url = page.url.removeprefix(live_server.url)

    def check(url: str) -> None:
        page.goto(live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide.append((url, width))

    for url in [
        "/experts/",
        "/experts/imports/",
        report_url,
        "/experts/conflicts/",
        "/experts/changes/",
        f"/experts/pool/{expert.pk}/",
    ]:
        check(url)
        check(url + "?lang=en")
    _sign_in(page, live_server, expert_user)
    check("/experts/me/")
    check("/experts/me/?lang=en")
    assert not wide, f"pages wider than 390 px: {wide}"
