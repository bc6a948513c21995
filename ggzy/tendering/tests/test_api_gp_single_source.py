"""单一来源 through /api/v1/: publicity, an objection and its answer, the refusal before the publicity ends, the deal."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.tendering.models import Lot

from .test_gp_single_source import single_source_lot

pytestmark = pytest.mark.django_db
API = "/api/v1/tendering"


def _ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_single_source_through_the_api(client, world):
    lot = single_source_lot(world)
    url = f"{API}/lots/{lot.pk}/single-source"
    supplier = world.bidder_entities[0]
    client.force_login(world.bidders[0])  # a supplier cannot publish
    assert client.post(f"{url}/publicity", {"supplier_code": supplier.credit_code, "reasons": "x"},
                       content_type="application/json").status_code == 403
    client.force_login(world.tenderer)
    bad = client.post(f"{url}/publicity", {"supplier_code": "", "reasons": ""}, content_type="application/json")
    assert bad.status_code == 400 and "supplier_code" in bad.json()["errors"]
    _ok(client.post(f"{url}/publicity", {"supplier_code": supplier.credit_code, "reasons": "原厂专有技术"},
                    content_type="application/json"), 201)
    client.force_login(world.bidders[1])
    objection = _ok(client.post(f"{url}/objections", {"text": "我公司亦可提供"}, content_type="application/json"), 201)
    client.logout()
    public = _ok(client.get(url))
    assert public["publicity"]["supplier"] == supplier.name and public["objections"][0]["text"] == "我公司亦可提供"
    assert "raised_by" not in str(public) and world.bidder_entities[1].name not in str(public)
    client.force_login(world.tenderer)
    early = client.post(f"{url}/negotiation")
    assert early.status_code == 409 and "尚未结束" in early.json()["detail"]
    _ok(client.post(f"{url}/objections/{objection['id']}/answer", {"answer": "经论证不成立", "is_upheld": False},
                    content_type="application/json"))
    clock.advance(dt.timedelta(days=8))
    assert _ok(client.post(f"{url}/negotiation"))["state"] == "negotiating"
    _ok(client.post(f"{url}/deal", {"price": "850000", "price_basis": "原厂报价与近三年合同价", "minutes": "协商降价"},
                    content_type="application/json"), 201)
    assert Lot.objects.get(pk=lot.pk).state == "candidates"
    client.logout()
    assert _ok(client.get(url))["deal"]["minutes"] is None
