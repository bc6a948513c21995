"""竞争性谈判 through /api/v1/: each step by the role that acts; the others refused, nothing changed."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.tendering.models import FinalQuotation, Lot, NegotiationRound

from .test_gp_negotiation import negotiating_lot

pytestmark = pytest.mark.django_db
API = "/api/v1/tendering"


def _ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_negotiation_through_the_api(client, world):
    lot = negotiating_lot(world)
    url = f"{API}/lots/{lot.pk}/negotiation"
    chair, member = world.experts[0], world.experts[1]
    # anonymous and a supplier may not start a round; nothing is created
    assert client.post(f"{url}/rounds").status_code == 401
    client.force_login(world.bidders[0])
    assert client.post(f"{url}/rounds").status_code == 403
    assert not NegotiationRound.objects.exists()
    # the panel negotiates
    client.force_login(member)
    assert _ok(client.post(f"{url}/rounds"), 201)["number"] == 1
    view = _ok(client.get(url))
    bid_ids = [s["bid_id"] for s in view["suppliers"]]
    for bid_id in bid_ids:
        _ok(client.post(f"{url}/records", {"bid_id": bid_id, "minutes": "单独谈判：价格与交货期"},
                        content_type="application/json"), 201)
    malformed = client.post(f"{url}/changes", "{not json", content_type="application/json")
    assert malformed.status_code == 400 and "JSON" in malformed.content.decode()
    assert _ok(client.post(f"{url}/changes", {"text": "增加三年质保"}, content_type="application/json"),
               201)["notified"] == 3
    refused = client.post(f"{url}/final-call", {"deadline": (clock.now() + dt.timedelta(hours=1)).isoformat()},
                          content_type="application/json")
    assert refused.status_code == 403  # only the chair
    client.force_login(chair)
    _ok(client.post(f"{url}/final-call", {"deadline": (clock.now() + dt.timedelta(hours=1)).isoformat()},
                    content_type="application/json"))
    # suppliers quote; the panel sees neither prices nor who quoted before the opening
    for i, price in enumerate(["90500", "89900", "91000"]):
        client.force_login(world.bidders[i])
        _ok(client.post(f"{url}/final-quotation", {"total_price": price}, content_type="application/json"), 201)
        own = _ok(client.get(url))
        assert own["own_final"]["price"] is None and own["changes"][0]["text"] == "增加三年质保"
        assert "suppliers" not in own and "rounds" not in own
    hostile = client.post(f"{url}/final-quotation", {"total_price": "1e400"}, content_type="application/json")
    assert hostile.status_code in (400, 409)
    client.force_login(chair)
    sealed = _ok(client.get(url))
    assert sealed["final_quotations"] is None and "899" not in str(sealed)
    assert client.post(f"{url}/final-open").status_code == 409  # before the deadline
    clock.advance(dt.timedelta(hours=1))
    client.force_login(world.bidders[0])
    late = client.post(f"{url}/final-quotation", {"total_price": "80000"}, content_type="application/json")
    assert late.status_code == 409 and "已过最后报价截止时间" in late.json()["detail"]
    client.force_login(chair)
    opened = _ok(client.post(f"{url}/final-open"))["opened"]
    assert sorted(r["price"] for r in opened) == ["89900.00", "90500.00", "91000.00"]
    assert _ok(client.get(url))["final_quotations"][0]["price"] == "89900.00"
    assert Lot.objects.get(pk=lot.pk).state == "evaluating"
    assert FinalQuotation.objects.count() == 3
