"""The co-bidding graph on a 390 px phone, in Chinese and English (demo data, the Jinan supervisor)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.test_phone_layout import OUTSIDE, PHONE, _sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_firm_network_fits_a_phone_screen_and_the_svg_scales(page, live_server):
    # given the demo data (lots with published openings) and a firm that bid in one of them
    from ggzy.tendering.models import Bid

    call_command("demo_load", stdout=open("/dev/null", "w"))  # noqa: SIM115
    bid = Bid.objects.filter(lot__opening_record__published_at__isnull=False, bidder__isnull=False,
                             lot__project__center__code="370100").order_by("pk").first()
    assert bid is not None
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server, "jianguan")
    for suffix in ("", "?lang=en"):
        # when
        response = page.goto(f"{live_server.url}/supervision/firms/{bid.bidder_id}/network/{suffix}")
        # then
        assert response is not None and response.status == 200
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate(OUTSIDE) == []
        width = page.evaluate("document.querySelector('svg.cobid-graph').getBoundingClientRect().width")
        assert 0 < width <= PHONE["width"]
