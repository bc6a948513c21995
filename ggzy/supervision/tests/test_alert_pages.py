"""The committee's 预警 panel with its decision form, and the supervisor's alert list and detail pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ggzy.accounts.roles import Role
from ggzy.supervision import services
from ggzy.supervision.models import Alert
from ggzy.tendering.services import opening
from ggzy.tendering.tests.conftest import seat_committee, world  # noqa: F401

from .test_alerts import opened  # noqa: F401


@pytest.fixture
def evaluating(world, opened):  # noqa: F811
    opening.opening_record_publish(actor=world.staff, lot=opened)
    services.alerts_run(lot_id=opened.pk, trigger="opening")
    opening.opening_close(actor=world.staff, lot=opened)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, opened, members, chair=world.experts[0])
    return opened


def _red(lot):
    return Alert.objects.get(lot_id=lot.pk, indicator="collusion.same_fingerprint")


def test_a_committee_member_sees_the_red_alert_in_both_languages(client, world, evaluating):  # noqa: F811
    # given a seated member
    client.force_login(world.experts[1])
    url = reverse("tendering:lot", args=[evaluating.pk])
    # when
    zh = client.get(url).content.decode()
    en = client.get(url + "?lang=en").content.decode()
    # then
    red = _red(evaluating)
    assert 'id="alerts-panel"' in zh and red.summary_zh in zh and "collusion.same_fingerprint" in zh
    assert red.summary_en in en and red.summary_zh not in en


def test_bidders_the_public_and_outside_experts_see_no_alert_panel(client, world, evaluating):  # noqa: F811
    # given
    url = reverse("tendering:lot", args=[evaluating.pk])
    for user in (None, world.bidders[0], world.experts[6]):
        if user is not None:
            client.force_login(user)
        # when
        page = client.get(url).content.decode()
        # then
        assert 'id="alerts-panel"' not in page and _red(evaluating).summary_zh not in page


def test_a_member_records_a_decision_and_others_change_nothing(client, world, evaluating):  # noqa: F811
    # given
    red = _red(evaluating)
    url = reverse("tendering:alert_decide", args=[evaluating.pk, red.pk])
    data = {"decision": "confirmed", "reason": "MAC地址相同"}
    # when an anonymous visitor and a bidder post, then a member
    anonymous = client.post(url, data)
    client.force_login(world.bidders[0])
    client.post(url, data)
    assert _red(evaluating).state == "open"
    client.force_login(world.experts[2])
    response = client.post(url, data)
    # then
    assert anonymous.status_code in (302, 403) and response.status_code == 302
    red = _red(evaluating)
    assert red.state == "confirmed" and red.decided_by == world.experts[2] and red.decision_reason == "MAC地址相同"


def test_a_decision_without_a_reason_is_refused_in_chinese_naming_the_field(client, world, evaluating):  # noqa: F811
    # given
    client.force_login(world.experts[2])
    url = reverse("tendering:alert_decide", args=[evaluating.pk, _red(evaluating).pk])
    # when
    page = client.post(url, {"decision": "confirmed", "reason": ""}, follow=True).content.decode()
    # then
    assert "请填写认定理由" in page and _red(evaluating).state == "open"


def test_the_supervisor_list_filters_and_is_scoped(client, world, evaluating, make_user, centers):  # noqa: F811
    # given supervisors of Jinan and Qingdao
    url = reverse("supervision:alert_list")
    jinan = make_user(Role.SUPERVISOR, center=centers["jinan"])
    qingdao = make_user(Role.SUPERVISOR, center=centers["qingdao"])
    red = _red(evaluating)
    # when / then anonymous is sent to log in, a bidder is refused
    assert client.get(url).status_code == 302
    client.force_login(world.bidders[0])
    assert client.get(url).status_code == 403
    client.force_login(jinan)
    assert red.summary_zh in client.get(url).content.decode()
    assert red.summary_zh not in client.get(url + "?level=yellow").content.decode()
    assert red.summary_en in client.get(url + "?level=red&lang=en").content.decode()
    client.force_login(qingdao)
    assert red.summary_zh not in client.get(url).content.decode()


def test_the_alert_detail_shows_the_evidence_and_its_ledger_proof(client, world, evaluating, make_user,  # noqa: F811
                                                                   centers):
    # given
    red = _red(evaluating)
    url = reverse("supervision:alert_detail", args=[red.pk])
    # when the Jinan supervisor and the Qingdao one look
    client.force_login(make_user(Role.SUPERVISOR, center=centers["jinan"]))
    page = client.get(url).content.decode()
    english = client.get(url + "?lang=en").content.decode()
    client.force_login(make_user(Role.SUPERVISOR, center=centers["qingdao"]))
    other = client.get(url)
    # then
    assert "证据包未被改动" in page and red.evidence_sha256 in page and "fingerprint.mac" in page
    assert "Evidence unchanged" in english
    assert other.status_code == 404


def _no_chinese_except(html: str, *data: str) -> list[str]:
    import re  # noqa: PLC0415

    for text in data:
        html = html.replace(text, "")
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.findall(r"[\u4e00-\u9fff]+", html)


def test_the_english_panel_and_pages_leave_no_chinese_but_data(client, world, evaluating, make_user,  # noqa: F811
                                                                centers):
    # given the member's lot page and the supervisor's pages in English
    red = _red(evaluating)
    client.force_login(world.experts[1])
    lot_page = client.get(reverse("tendering:lot", args=[evaluating.pk]) + "?lang=en").content.decode()
    panel = lot_page[lot_page.index('id="alerts-panel"'):lot_page.index('id="expert-panel"')]
    client.force_login(make_user(Role.SUPERVISOR, center=centers["jinan"]))
    listing = client.get(reverse("supervision:alert_list") + "?lang=en").content.decode()
    listing = listing[listing.index("<main"):]
    detail = client.get(reverse("supervision:alert_detail", args=[red.pk]) + "?lang=en").content.decode()
    detail = detail[detail.index("<main"):detail.index('id="alert-evidence"')]
    summaries = [a.summary_en for a in Alert.objects.all()]
    # when / then nothing Chinese is left but the bidders' names (data) and the lot's name
    names = [e.name for e in world.bidder_entities] + [evaluating.name, evaluating.project.title]
    assert _no_chinese_except(panel, *summaries, *names) == []
    assert _no_chinese_except(listing, *summaries, *names) == []
    assert _no_chinese_except(detail, *summaries, *names) == []
