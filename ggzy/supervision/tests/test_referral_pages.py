"""The pages and the API of power lists and referrals, the supervisor's workspace and a lot's evidence timeline."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from ggzy.credit.models import CreditRecord
from ggzy.supervision.models import Alert, Referral
from ggzy.tendering.tests.conftest import world  # noqa: F401

from .referral_world import bureau, confirm_red_alert  # noqa: F401
from .test_alerts import opened  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def red(world, opened):  # noqa: F811
    return confirm_red_alert(world, opened)


def test_the_power_list_page_in_both_languages(client, world):  # noqa: F811
    client.force_login(world.staff)
    zh = client.get(reverse("supervision:power_list")).content.decode()
    en = client.get(reverse("supervision:power_list") + "?lang=en").content.decode()
    assert "济南市住房和城乡建设局" in zh and "JN-ZJJ-CF-001" in zh and "待核实" in zh
    assert "Jinan Housing and Urban-Rural Development Bureau" in en and "working day" in en


def test_staff_refer_from_the_page_and_the_department_handles_it(client, world, red, bureau):  # noqa: F811
    dept, officer, item = bureau
    client.force_login(world.staff)
    # the list offers the confirmed alert; the form offers only items of the list for the lot
    assert f"?alert={red.pk}" in client.get(reverse("supervision:referral_list")).content.decode()
    form = client.get(reverse("supervision:referral_new") + f"?alert={red.pk}").content.decode()
    assert f'value="{item.pk}"' in form and "JN-CZJ" not in form
    # a hostile item number is refused in Chinese, nothing changes
    page = client.post(reverse("supervision:referral_new"), {"alert": red.pk, "power_item": "1e20", "facts": "x"})
    assert page.status_code == 200 and "请从权责清单中选择承办事项" in page.content.decode()
    assert not Referral.objects.exists()
    for hostile in ("?lot=1e400", "?lot=99999999999999999999999", "?alert=NaN"):
        assert client.get(reverse("supervision:referral_new") + hostile).status_code == 404
    response = client.post(reverse("supervision:referral_new"), {"alert": red.pk, "power_item": item.pk,
                                                                 "facts": "同一台电脑"})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == reverse("supervision:referral_detail", args=[referral.pk])
    # the department's officer accepts, investigates, decides with a penalty
    client.force_login(officer)
    act = reverse("supervision:referral_act", args=[referral.pk])
    assert 'id="act-accept"' in client.get(response.url).content.decode()
    client.post(act, {"action": "accept", "note": "受理"})
    client.post(act, {"action": "investigate", "note": "调查"})
    bad = client.post(act, {"action": "decide", "note": "x", "outcome": "penalty", "decision_no": "1",
                            "penalty": "罚款", "restriction_months": "1e400",
                            "penalised": [referral.subjects[0]["credit_code"]]}, follow=True)
    assert "限制投标月数应为整数" in bad.content.decode()
    client.post(act, {"action": "decide", "note": "串通投标", "outcome": "penalty", "decision_no": "济建罚〔2026〕7号",
                      "penalty": "罚款", "restriction_months": "12",
                      "penalised": [s["credit_code"] for s in referral.subjects]})
    detail = client.get(response.url).content.decode()
    record = CreditRecord.objects.filter(source_ref__startswith=f"referral:{referral.pk}:").first()
    assert 'id="referral-credit"' in detail and record.record_no in detail
    assert 'id="act-close"' in detail and 'id="act-decide"' not in detail


def test_the_workspace_counts_lists_and_labels_complaints_honestly(client, world, opened, bureau):  # noqa: F811
    confirm = confirm_red_alert(world, opened)
    dept, officer, item = bureau
    client.force_login(officer)
    zh = client.get(reverse("supervision:workspace")).content.decode()
    open_reds = Alert.objects.filter(lot_id=opened.pk, level="red", state="open").count()
    assert 'id="count-red"' in zh and f"红色 {open_reds}" in zh
    assert f'id="ws-alert-{confirm.pk}"' not in zh  # confirmed: no longer open
    assert 'id="complaints"' in zh and "暂无待办投诉" in zh  # no complaint filed in this world
    en = client.get(reverse("supervision:workspace") + "?lang=en").content.decode()
    assert "Supervision workspace" in en
    # a bidder may not enter
    client.force_login(world.bidders[0])
    assert client.get(reverse("supervision:workspace")).status_code in (302, 403)


def test_the_timeline_puts_alerts_decisions_and_referral_steps_in_order(client, world, red, bureau):  # noqa: F811
    dept, officer, item = bureau
    client.force_login(world.staff)
    client.post(reverse("supervision:referral_new"), {"alert": red.pk, "power_item": item.pk, "facts": "同一台电脑"})
    client.force_login(officer)
    page = client.get(reverse("supervision:lot_timeline", args=[red.lot_id])).content.decode()
    kinds = [k for k in ("data-kind=\"alert\"", "data-kind=\"decision\"", "data-kind=\"referral\"") if k in page]
    assert len(kinds) == 3
    assert page.index('data-kind="alert"') < page.index('data-kind="decision"') < page.index('data-kind="referral"')
    assert "/ledger/entries/" in page
    # a Qingdao supervisor sees nothing of it
    other = world.other_staff
    client.force_login(other)
    assert client.get(reverse("supervision:lot_timeline", args=[red.lot_id])).status_code == 404


def test_the_referral_api(client, world, red, bureau):  # noqa: F811
    dept, officer, item = bureau
    client.force_login(world.staff)
    bad = client.post("/api/v1/supervision/referrals", data="{not json", content_type="application/json")
    assert bad.status_code == 400 and any("\u4e00" <= ch <= "\u9fff" for ch in bad.json()["detail"])  # Chinese
    made = client.post("/api/v1/supervision/referrals", content_type="application/json",
                       data=json.dumps({"power_item_id": item.pk, "alert_id": red.pk, "facts": "同一台电脑"}))
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["state"] == "referred" and body["evidence_sha256"] == red.evidence_sha256
    client.force_login(officer)
    url = f"/api/v1/supervision/referrals/{body['id']}/steps"
    skipped = client.post(url, content_type="application/json", data=json.dumps({"action": "close", "note": "x"}))
    assert skipped.status_code == 409
    ok = client.post(url, content_type="application/json", data=json.dumps({"action": "accept", "note": "受理"}))
    assert ok.status_code == 200 and ok.json()["state"] == "accepted"
    assert [r["number"] for r in client.get("/api/v1/supervision/referrals").json()] == [body["number"]]
    assert any(p["code"] == item.code for p in client.get("/api/v1/supervision/powers").json())
    client.force_login(world.bidders[0])
    assert client.get("/api/v1/supervision/referrals").status_code == 403
