"""The tenderer's new-project form in a browser on a 390 px phone: the agency choice shows the agency's credit grade
and its records in force, and the page does not scroll sideways."""

import pytest

from ggzy.registry.models import MarketEntityAccount

from .test_agency_credit import _record
from .test_browser_tendering import Actor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_agency_choice_shows_credit_on_a_phone(browser, live_server, world, tmp_path):
    agency = MarketEntityAccount.objects.get(user=world.agency).entity
    _record(agency, kind="violation")
    tenderer = Actor(browser, live_server, world.tenderer)
    page = tenderer.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{tenderer.base}/tendering/projects/new/")
    option = page.locator(f'#agency option[value="{agency.pk}"]').inner_text()
    assert "信用等级 C" in option and "1条在册信用记录（最重：违法违规行为）" in option
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(tmp_path / "project_new_phone.png"), full_page=True)
    tenderer.context.close()
