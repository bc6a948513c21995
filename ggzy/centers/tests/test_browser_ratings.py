"""Ratings in a browser at 390 px: an anonymous third party rates a center; a supervisor reads the averages and the
chart, in Chinese and English; the entity page's control relationships section fits a phone too."""

from __future__ import annotations

import pytest

from ggzy.accounts.roles import Role
from ggzy.centers.models import ServiceRating
from tests.test_phone_layout import OUTSIDE, PHONE, _sign_in


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(OUTSIDE) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_third_party_rates_a_center_and_the_supervisor_sees_the_chart(page, live_server, centers, make_user):
    # given a supervisor and a 390 px phone
    make_user(Role.SUPERVISOR, center=centers["jinan"], username="jianguan_r")
    page.set_viewport_size(PHONE)
    # when an anonymous visitor rates the Jinan center, first forgetting a score
    page.goto(f"{live_server.url}/centers/ratings/third-party/")
    _fits(page)
    page.select_option("#target", f"center:{centers['jinan'].code}")
    for name, value in (("compliance", "5"), ("efficiency", "4"), ("attitude", "4")):
        page.check(f"input[name={name}][value='{value}']")
    page.evaluate("document.getElementById('third-party-rating').noValidate = true")
    page.click("#rating-submit")
    # then the form says which score is missing, in Chinese, and nothing is stored
    assert page.locator("text=公开透明评分应为1到5的整数").is_visible()
    assert ServiceRating.objects.count() == 0
    # when the visitor completes the form
    page.select_option("#target", f"center:{centers['jinan'].code}")
    for name, value in (("compliance", "5"), ("efficiency", "4"), ("attitude", "4"), ("transparency", "3")):
        page.check(f"input[name={name}][value='{value}']")
    page.fill("#comment", "窗口服务热情")
    page.click("#rating-submit")
    # then it is stored as a third-party rating
    page.wait_for_selector("text=感谢您的评价")
    assert ServiceRating.objects.get().rater_kind == "third_party"
    # when the supervisor opens the summary, in Chinese and in English
    _sign_in(page, live_server, "jianguan_r")
    for suffix, heading in (("", "交易中心与代理机构评价"), ("?lang=en", "Ratings of centers and agencies")):
        response = page.goto(f"{live_server.url}/centers/ratings/{suffix}")
        # then the chart shows the center's overall 4.0 and the page fits the phone
        assert response is not None and response.status == 200
        assert page.locator("h1").inner_text() == heading
        assert page.locator("#center-ratings progress.bar").first.get_attribute("value") == "80"
        assert "4.0" in page.locator("#center-ratings").inner_text()
        _fits(page)
        page.screenshot(path=f"/tmp/fraudctl-ratings{suffix.replace('?lang=', '-')}.png", full_page=True)
