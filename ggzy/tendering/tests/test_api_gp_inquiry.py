"""A government-procurement inquiry (政府采购询价) from registration to archive, entirely through the API."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.core import clock
from ggzy.tendering.models import Lot

from .conftest import bond_arrive
from .recusal_signing import certificate_of, sign_text

pytestmark = pytest.mark.django_db

PRICES = ["486000.00", "479500.00", "492300.00"]


def _ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_gp_inquiry_through_the_api(client, world):
    api = "/api/v1/tendering"
    # 1. the purchaser registers, the center accepts
    client.force_login(world.tenderer)
    project = _ok(client.post(f"{api}/projects", {
        "title": "历城区教育局办公设备询价采购", "method": "gp_inquiry", "region_code": "370112",
        "center_code": "370100", "estimated_price": "500000",
        "lots": [{"name": "办公设备包", "estimated_price": "500000", "evaluation_method": "lowest_price"}]},
        content_type="application/json"), 201)
    assert project["code"].startswith("370100202602")
    client.force_login(world.staff)
    _ok(client.post(f"{api}/projects/{project['id']}/accept"))
    lot_id = project["lots"][0]["id"]
    # 2. documents, schedule (3 working days at least), publication
    client.force_login(world.tenderer)
    _ok(client.post(f"{api}/lots/{lot_id}/documents", {"file": SimpleUploadedFile("询价通知书.pdf", b"%PDF inquiry")}),
        201)
    now = clock.now()
    too_soon = {"notice_text": "询价公告", "documents_sale_end": (now + dt.timedelta(days=1)).isoformat(),
                "bid_deadline": (now + dt.timedelta(days=2)).isoformat(), "bond_amount": "5000"}
    refused = client.post(f"{api}/lots/{lot_id}/schedule", too_soon, content_type="application/json")
    assert refused.status_code == 400 and "3个工作日" in refused.json()["errors"]["bid_deadline"][0]
    schedule = too_soon | {"bid_deadline": (now + dt.timedelta(days=7)).isoformat(),
                           "documents_sale_end": (now + dt.timedelta(days=7)).isoformat()}
    assert _ok(client.post(f"{api}/lots/{lot_id}/schedule", schedule, content_type="application/json")) == []
    client.force_login(world.staff)
    _ok(client.post(f"{api}/lots/{lot_id}/publish"))
    # 3–4. three suppliers sign up, pay bonds, submit sealed quotes
    for i, price in enumerate(PRICES):
        client.force_login(world.bidders[i])
        _ok(client.post(f"{api}/lots/{lot_id}/signup"), 201)
        bond_arrive(world, Lot.objects.get(pk=lot_id), i)
        _ok(client.post(f"{api}/lots/{lot_id}/bid", {
            "price_sheet": f'{{"total_price": "{price}"}}', "fingerprint": f'{{"mac": "00:00:00:00:00:0{i}"}}',
            "files": [SimpleUploadedFile("报价文件.pdf", b"quote %d" % i)]}), 201)
    public = _ok(client.get(f"{api}/lots/{lot_id}"))
    assert "opening_record" not in public
    # 5. opening after the deadline
    clock.advance(dt.timedelta(days=7, minutes=1))
    client.force_login(world.staff)
    assert _ok(client.post(f"{api}/lots/{lot_id}/open"))["state"] == "opening"
    assert _ok(client.post(f"{api}/lots/{lot_id}/decrypt")) == {"decrypted": 3, "failed": 0}
    rows = _ok(client.post(f"{api}/lots/{lot_id}/opening-record"))["rows"]
    assert sorted(r["price"] for r in rows) == sorted(PRICES)
    _ok(client.post(f"{api}/lots/{lot_id}/close-opening"))
    # 6. a panel of three (government-procurement inquiry)
    panel = [e.username for e in world.experts[:3]]
    refused = client.post(f"{api}/lots/{lot_id}/committee", {
        "members": [{"username": u, "seat": "expert_technical"} for u in panel[:2]], "chair": panel[0],
        "reason": "技术复杂，随机抽取的专家难以胜任"},
        content_type="application/json")
    assert refused.status_code == 400 and "3人以上单数" in refused.json()["detail"]
    _ok(client.post(f"{api}/lots/{lot_id}/committee", {
        "members": [{"username": u, "seat": "expert_technical"} for u in panel], "chair": panel[0],
        "reason": "技术复杂，随机抽取的专家难以胜任"},
        content_type="application/json"), 201)
    public = _ok(client.get(f"{api}/lots/{lot_id}"))
    client.logout()
    assert "committee" not in _ok(client.get(f"{api}/lots/{lot_id}"))  # names secret until the result is final
    for expert in world.experts[:3]:  # scoring waits until every member has declared
        client.force_login(expert)
        statement = _ok(client.post(f"{api}/lots/{lot_id}/recusal/statement", {},
                                    content_type="application/json"))["statement"]
        issued = certificate_of(expert)
        _ok(client.post(f"{api}/lots/{lot_id}/recusal", {
            "confirm": True, "certificate": issued.pem.decode(), "signature": sign_text(issued, statement)},
            content_type="application/json"), 201)
    for expert in world.experts[:3]:
        client.force_login(expert)
        for row in _ok(client.get(f"{api}/lots/{lot_id}/evaluation")):
            _ok(client.post(f"{api}/lots/{lot_id}/scores", {"bid_id": row["bid_id"], "is_qualified": True},
                            content_type="application/json"))
    client.force_login(world.experts[0])
    ranking = _ok(client.post(f"{api}/lots/{lot_id}/report"))["ranking"]
    assert ranking[0]["price"] == "479500.00"
    for expert in world.experts[:3]:
        client.force_login(expert)
        _ok(client.post(f"{api}/lots/{lot_id}/report/sign", {}, content_type="application/json"))
    # 7. result: publication, award after the publicity period, contract
    client.force_login(world.tenderer)
    _ok(client.post(f"{api}/lots/{lot_id}/candidates"))
    early = client.post(f"{api}/lots/{lot_id}/award")
    assert early.status_code == 409
    clock.advance(dt.timedelta(days=3))
    award = _ok(client.post(f"{api}/lots/{lot_id}/award"))
    assert award["bidder"] == world.bidder_entities[1].name
    client.logout()
    assert len(_ok(client.get(f"{api}/lots/{lot_id}"))["committee"]) == 3  # public once final
    client.force_login(world.tenderer)
    _ok(client.post(f"{api}/lots/{lot_id}/contract", {
        "amount": "479500", "signed_on": clock.today().isoformat(), "file": SimpleUploadedFile("合同.pdf", b"c")}), 201)
    # 8. archive, and every later look is logged
    client.force_login(world.staff)
    archived = _ok(client.post(f"{api}/lots/{lot_id}/archive"), 201)
    assert archived["retain_until"].startswith(str(clock.today().year + 15))
    _ok(client.get(f"{api}/lots/{lot_id}/archive", {"purpose": "审计抽查"}))
    from ggzy.tendering.models import ArchiveAccess

    assert ArchiveAccess.objects.get().purpose == "审计抽查"
