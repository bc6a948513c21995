"""Fixtures shared by every test: a clock that tests move, users per role, and a real headless Chromium."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ggzy.core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The key that encrypts TOTP seeds in the database (ggzy.core.secrets): one throw-away key per test run, never the
# developer's var/secrets-key. Read from the environment when first used, so setting it here is early enough.
os.environ.setdefault("GGZY_SECRETS_KEY_FILE", str(Path(tempfile.mkdtemp(prefix="ggzy-test-secrets-")) / "secrets-key"))


@pytest.fixture(autouse=True)
def _clock_reset():
    yield
    clock.unfreeze()


@pytest.fixture(autouse=True)
def _language_reset():
    """A test that renders in English (a request with the English cookie, a task) leaves the default language."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _own_ledger_witnesses(settings, tmp_path_factory):
    """Every test signs checkpoints with its own platform key and local witnesses: a witness keeps the last log
    it cosigned in a state file, and another test's rolled-back log would look like a fork to it."""
    from ggzy.ledger import keys

    base = tmp_path_factory.mktemp("ledger")
    settings.GGZY_LEDGER_KEY_FILE = str(base / "ledger-key")
    settings.GGZY_LEDGER_WITNESS_DIR = str(base / "witnesses")
    keys._cache.clear()
    yield
    keys._cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test databases, and before they are dropped the live fan-out's listener threads stop (a
    LISTEN connection left open would keep PostgreSQL from dropping the test database)."""
    yield
    from ggzy.core import fanout

    fanout.stop_all()


@pytest.fixture
def frozen_clock():
    """The platform clock frozen at 2026-03-02 09:00 Asia/Shanghai; tests advance it."""
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    return clock


@pytest.fixture
def centers(db):
    """The provincial center and the Jinan and Qingdao centers (loaded by the regions migration)."""
    from ggzy.registry.models import Center

    return {
        "province": Center.objects.get(code="370000"),
        "jinan": Center.objects.get(code="370100"),
        "qingdao": Center.objects.get(code="370200"),
    }


@pytest.fixture
def make_user(db):
    """make_user(role, center=None, username=None) → a saved user with password 'pass-1234-ok'."""
    from ggzy.accounts.services import user_create

    counter = {"n": 0}

    def make(role: str, center=None, username: str | None = None, display_name: str = ""):
        counter["n"] += 1
        return user_create(actor=None, username=username or f"{role}{counter['n']}", password="pass-1234-ok",
                           role=role, center=center, display_name=display_name)

    return make


def _browser_available() -> str | None:
    path = "/usr/bin/chromium"
    if not os.path.exists(path):
        return None
    return path


@pytest.fixture
def browser(transactional_db):
    """Debian's Chromium through Playwright, headless. Skips (or fails in CI) when missing.

    Function-scoped and started after the database fixture on purpose: starting Playwright switches the
    context Django's connections live in, so the database (and its restore of migrated data) must be set up first.
    """
    path = _browser_available()
    if path is None or shutil.which("fc-list") is None:
        message = "浏览器测试需要 /usr/bin/chromium 与中文字体（apt-get install chromium fonts-wqy-microhei）"
        if os.environ.get("GGZY_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=path, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request, tmp_path_factory):
    """A fresh browser page; a screenshot is saved under var/screenshots when the test fails."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        out = os.path.join("var", "screenshots")
        os.makedirs(out, exist_ok=True)
        pg.screenshot(path=os.path.join(out, f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrated reference data (regions, centers, catalog) afterwards.

    A transactional test flushes the database; without serialized rollback, the data that migrations load would
    be gone for the tests after it (and a flush that re-creates content types breaks later restores).
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False)


@pytest.fixture(scope="module")
def demo_pki(tmp_path_factory):
    """The test PKI (both demo CAs, user and custodian certificates), built once per module at the frozen clock's
    moment (certificates start one day before)."""
    from ggzy.pki.testpki import build_test_pki

    return build_test_pki(tmp_path_factory.mktemp("pki"), now=dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI),
                          crl_days=30)


@pytest.fixture
def trust_store(db, demo_pki):
    """Both demo roots registered and both CRLs imported (by the system actor)."""
    from ggzy.pki.testpki import demo_pki_register

    demo_pki_register(directory=demo_pki.directory)
    return demo_pki
