"""The site on a 390×844 phone, and the header on a 1366 px desktop.

On a phone no page may scroll sideways and no element may stick out of the viewport, except inside a box that
scrolls on its own (a wide table in ``.table-scroll``). The URL list is built from the demo data: every notice
category, a notice of every kind, a lot at every state (as the public and as a bidder), every process template,
entities of every type, ledger entries — not a hand-picked list.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

# Elements sticking out of the viewport that are not inside a box that scrolls (or clips) on its own.
OUTSIDE = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (e) => { const s = getComputedStyle(e).overflowX; return s === 'auto' || s === 'scroll' || s === 'hidden'; };
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right <= width + 1 && r.left >= -1) continue;
    let a = e.parentElement, inside = false;
    while (a && a !== document.body) { if (scrolls(a)) { inside = true; break; } a = a.parentElement; }
    if (!inside) out.push(e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width === 0 || (r.right <= width + 1 && r.left >= -1)) continue;
    let a = n.parentElement, inside = false;
    while (a && a !== document.body) { if (scrolls(a)) { inside = true; break; } a = a.parentElement; }
    if (!inside) out.push('text in ' + n.parentElement.tagName.toLowerCase() + '.' + n.parentElement.className + ' "' + n.textContent.trim().slice(0, 40) + '" ' + Math.round(r.right));
  }
  return out.slice(0, 5);
}"""


def _public_urls() -> list[str]:
    from ggzy.catalog.models import ProcessTemplate
    from ggzy.disclosure.categories import portal_categories
    from ggzy.disclosure.models import Notice
    from ggzy.ledger.models import LogEntry
    from ggzy.registry.models import MarketEntity
    from ggzy.tendering.models import Lot

    urls = ["/", "/notices/", "/tendering/lots/", "/catalog/", "/catalog/rules/", "/catalog/processes/",
            "/catalog/calendar/", "/registry/entities/", "/ledger/", "/pki/cas/"]
    urls += [f"/?category={code}" for code in portal_categories()]
    urls += [f"/notices/?category={code}" for code in portal_categories()]
    for kind in Notice.objects.order_by().values_list("notice_type", flat=True).distinct():
        urls.append(f"/notices/?notice_type={kind}")
        urls.append(f"/notices/{Notice.objects.filter(notice_type=kind).order_by('pk').first().pk}/")
    urls += [f"/tendering/lots/{_lot_at(state)}/" for state in _lot_states(Lot)]
    urls += [f"/catalog/processes/{pk}/" for pk in ProcessTemplate.objects.order_by("pk").values_list("pk", flat=True)]
    for kind in MarketEntity.objects.order_by().values_list("entity_type", flat=True).distinct():
        code = MarketEntity.objects.filter(entity_type=kind).order_by("pk").values_list("credit_code", flat=True)[0]
        urls.append(f"/registry/entities/{code}/")
    last = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    urls += [f"/ledger/entries/{index}/" for index in sorted({1, last or 1})]
    return urls + _rights_urls()


def _rights_urls() -> list[str]:
    """The rights list and a hall of every kind in every state (and qualification timing) the demo has."""
    from ggzy.rights.models import RightsListing

    seen: dict[tuple[str, str, str], int] = {}
    for pk, kind, state, timing in RightsListing.objects.order_by("pk").values_list(
            "pk", "kind", "state", "qualification_timing"):
        seen.setdefault((kind, state, timing), pk)
    return ["/rights/", *[f"/rights/{pk}/" for pk in seen.values()]]


def _lot_states(lot_model) -> list[str]:
    return sorted(set(lot_model.objects.exclude(state="draft").values_list("state", flat=True)))


def _lot_at(state: str) -> int:
    from ggzy.tendering.models import Lot

    return Lot.objects.filter(state=state).order_by("pk").values_list("pk", flat=True)[0]


def _bidder_urls() -> list[str]:
    from ggzy.tendering.models import Lot

    published = _lot_at("published")
    urls = ["/tendering/", "/accounts/me/", "/pki/my-certificates/", "/registry/entities/mine/",
            f"/tendering/lots/{published}/sealed-bid/"]
    urls += [f"/tendering/lots/{_lot_at(state)}/" for state in _lot_states(Lot)]
    return urls


def _sign_in(page, live_server, username: str) -> None:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from ggzy.accounts.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
                               "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_overflows_a_phone_screen(page, live_server, settings):
    # given the demo data and a 390×844 screen (the rights halls' live streams end at once: no stream outlives the test)
    settings.GGZY_HALL_STREAM_SECONDS = 0
    call_command("demo_load", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.set_viewport_size(PHONE)
    wide: list = []
    seen: list[str] = []

    def check(url: str) -> None:
        for suffix in ("", "lang=en"):
            target = url + (("&" if "?" in url else "?") + suffix if suffix else "")
            response = page.goto(live_server.url + target)
            assert response is not None and response.status == 200, (target, response and response.status)
            seen.append(target)
            width = page.evaluate("document.documentElement.scrollWidth")
            outside = page.evaluate(OUTSIDE)
            if width > PHONE["width"] or outside:
                wide.append((target, width, outside))

    # when every public page is opened anonymously, then as a bidder the bidder's pages
    for url in [*_public_urls(), "/registry/apply/", "/accounts/login/", "/accounts/login/certificate/"]:
        check(url)
    _sign_in(page, live_server, "toubiao")
    for url in _bidder_urls():
        check(url)
    for url in _rights_urls():  # the bidder's own registration: where to pay the deposit, the paddle, the bid form
        check(url)
    for username in ("jinan_staff", "jianguan"):
        _sign_in(page, live_server, username)
        check("/tendering/")
    # the center's rights pages: deposit reconciliation, and the halls with the contract and the settlements
    _sign_in(page, live_server, "jinan_staff")
    check("/rights/deposits/")
    check("/rights/new/")  # the publish form, with the weighted quote's factor rows
    for url in _rights_urls():
        check(url)
    # the complaints pages: the objecting bidder's (toubiao3) lot page, the supervisor's list and complaint
    from ggzy.tendering.models import Complaint

    complaint = Complaint.objects.order_by("pk").first()
    assert complaint is not None, "the demo has a pending complaint"
    _sign_in(page, live_server, "toubiao3")
    check(f"/tendering/lots/{complaint.lot_id}/challenges/")
    _sign_in(page, live_server, "jianguan")
    check("/tendering/complaints/")
    check(f"/tendering/complaints/{complaint.pk}/")
    # then none is wider than the screen
    assert len(seen) > 60
    assert not wide, f"pages wider than 390 px: {wide}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_menu_folds_and_opens(page, live_server):
    # given the home page on a phone
    call_command("demo_load", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/?lang=en")
    header = page.locator(".site-header")
    assert header.bounding_box()["height"] <= 70  # the longer English name wraps beside the button
    page.goto(live_server.url + "/")
    # then the header is compact and the menu is folded behind its button
    assert header.bounding_box()["height"] <= 70
    assert not page.locator(".main-nav").is_visible()
    # when the button is pressed, the menu opens; pressed again, it folds
    page.locator(".nav-toggle").click()
    assert page.locator(".main-nav a").nth(8).is_visible()
    assert page.locator(".nav-toggle").get_attribute("aria-expanded") == "true"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-menu.png"))
    page.locator(".nav-toggle").click()
    assert not page.locator(".main-nav").is_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_menu_without_javascript_is_a_plain_list(browser, live_server):
    call_command("demo_load", stdout=open("/dev/null", "w"))  # noqa: SIM115
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert page.locator(".main-nav a").nth(8).is_visible()
        assert not page.locator(".nav-toggle").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_desktop_header_fits_one_row_with_a_long_user_name(page, live_server):
    from ggzy.accounts.models import User

    # given a user with a very long display name, at 1366 px, in both languages
    call_command("demo_load", stdout=open("/dev/null", "w"))  # noqa: SIM115
    User.objects.filter(username="toubiao").update(display_name="山东省鲁建建设集团第一工程有限公司青岛分公司项目部投标专员")
    _sign_in(page, live_server, "toubiao")
    page.set_viewport_size({"width": 1366, "height": 800})
    for url in ("/", "/?lang=en"):
        page.goto(live_server.url + url)
        # then the header stays one row, nothing overflows, and the name is cut with its full text in the title
        assert page.locator(".site-header").bounding_box()["height"] <= 72, url
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, url
        name = page.locator(".account-name")
        assert "投标专员" in (name.get_attribute("title") or "")
        assert page.evaluate("(e) => e.scrollWidth > e.clientWidth", name.element_handle())
        assert page.locator(".nav-toggle").is_hidden()
        last = page.locator(".main-nav a").nth(8).bounding_box()
        assert last["y"] + last["height"] <= 72, url
    # and at the widths in between (tablets, small laptops) nothing pushes the page sideways either
    for width in (768, 1024, 1200, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        for url in ("/", "/?lang=en"):
            page.goto(live_server.url + url)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, url)
            # the menu folds rather than wrapping onto a second row
            assert page.locator(".site-header").bounding_box()["height"] <= 72, (width, url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_phone_screenshots(page, live_server):
    """Screenshots of a few phone pages for the README and for a person to look at."""
    from ggzy.disclosure.models import Notice

    call_command("demo_load", stdout=open("/dev/null", "w"))  # noqa: SIM115
    page.set_viewport_size(PHONE)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = {"phone-home": "/", "phone-notices": "/notices/",
             "phone-notice": f"/notices/{Notice.objects.order_by('pk').first().pk}/"}
    for name, url in shots.items():
        page.goto(live_server.url + url)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    _sign_in(page, live_server, "toubiao")
    page.goto(live_server.url + f"/tendering/lots/{_lot_at('published')}/")
    page.screenshot(path=str(SCREENSHOTS / "phone-lot-bidder.png"))
    for name in [*shots, "phone-lot-bidder"]:
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 5000
