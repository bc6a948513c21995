"""Browser: the committee by draw on a 390 px phone in English — the center requests the draw, forms the committee
from the confirmed experts (``FakeExpertsDraw`` stands in for the experts app), each member reads the bidders' names
and declares, one recuses and the seat is redrawn; the supervisor reads how the committee was formed."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.tendering.models import CommitteeMember, RecusalDeclaration
from tests.test_phone_layout import OUTSIDE

from .conftest import FakeExpertsDraw
from .recusal_signing import declare, sign_with_key_file
from .test_browser_tendering import Actor, _local
from .test_committee import _confirm, _opened

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
UI = "#{panel} h2, #{panel} h3, #{panel} label, #{panel} button, #{panel} dt, #{panel} .muted, #{panel} .tag"


class PhoneActor(Actor):
    def __init__(self, browser, live_server, user):
        super().__init__(browser, live_server, user)
        self.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        self.page.set_viewport_size({"width": 390, "height": 844})

    def check(self, panel: str, data: list[str]) -> None:
        """Nothing sticks out at 390 px; the panel's UI text is English (data such as names may be Chinese)."""
        assert self.page.evaluate(OUTSIDE) == []
        for text in self.page.locator(UI.format(panel=panel)).all_inner_texts():
            for value in data:
                text = text.replace(value, "")
            assert not HAN.search(text), text


def test_committee_by_draw_on_a_phone_in_english(browser, live_server, world, fake_draw: FakeExpertsDraw,
                                                 make_user, tmp_path):
    lot = _opened(world)
    staff = PhoneActor(browser, live_server, world.staff)
    page = staff.lot(lot.pk)
    names = [e.display_name for e in world.experts]  # data: the direct-appointment form lists the experts
    staff.check("committee-panel", names)
    # the draw page shows nothing about the bidders
    assert not any(e.name in page.inner_text("#committee-panel") for e in world.bidder_entities)
    page.fill("#draw-size", "5")
    page.fill("#need_code_0", "A01")
    page.fill("#need_count_0", "3")
    page.fill("#need_code_1", "A0201")
    page.fill("#need_count_1", "1")
    page.select_option("select[name=need_kind_1]", "economic")
    page.fill("#tenderer_rep", world.tenderer.username)
    page.fill("#scheduled_at", _local(clock.now() + dt.timedelta(hours=2)))
    staff.click("#draw-form button")
    assert [(n.code, n.count) for n in fake_draw.requests[0]["needs"]] == [("A01", 3), ("A0201", 1)]
    # the experts confirm (in the experts app); the center forms the committee
    _confirm(fake_draw, world.experts[:4])
    staff.lot(lot.pk)
    staff.click("#committee-form-draw")
    assert CommitteeMember.objects.filter(lot=lot).count() == 5
    # each member reads the bidders' names and declares; one recuses
    bidders = [e.name for e in world.bidder_entities[:3]]
    for user in [world.experts[0], *world.experts[2:4], world.tenderer]:
        declare(user, lot)
    recusing = PhoneActor(browser, live_server, world.experts[1])
    page = recusing.lot(lot.pk)
    assert all(name in page.inner_text("#recusal-bidders") for name in bidders)
    recusing.check("recusal-panel", bidders)
    page.check("input[name=decision][value=recuse]")
    page.fill("#recusal-reason", "本人曾在投标人处任职")
    page.check("#recusal-confirm")
    sign_with_key_file(page, world.experts[1], tmp_path)
    assert RecusalDeclaration.objects.get(lot=lot, user=world.experts[1]).recused
    assert len(fake_draw.redraws) == 1
    # the redraw brings another expert; the center fills the seat; the newcomer declares on the phone
    _confirm(fake_draw, [world.experts[0], world.experts[5], *world.experts[2:4]])
    staff.lot(lot.pk)
    staff.click("#committee-form-draw")
    newcomer = PhoneActor(browser, live_server, world.experts[5])
    page = newcomer.lot(lot.pk)
    assert page.locator("#scoring-blocked").count() == 1
    page.check("#recusal-confirm")
    sign_with_key_file(page, world.experts[5], tmp_path)
    page = newcomer.lot(lot.pk)
    assert page.locator("#score-form").count() == 1
    newcomer.check("recusal-panel", [*bidders, world.experts[5].display_name])  # data: the certificate holder
    # the supervisor reads how the committee was formed, in English, on a phone
    supervisor = PhoneActor(browser, live_server, make_user(Role.SUPERVISOR, center=world.center))
    page = supervisor.lot(lot.pk)
    assert "Drawn at random" in page.inner_text("#committee-method")
    supervisor.check("committee-panel", names)
