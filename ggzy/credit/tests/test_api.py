"""Credit API: query by credit code (public vs staff), the exchange door (same checks, Chinese errors) and the
JSON Lines export (no person records)."""

import datetime as dt
import json

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.credit_code import credit_code_make
from ggzy.credit import services
from ggzy.credit.forms import person_key
from ggzy.credit.models import CreditRecord

pytestmark = pytest.mark.django_db

CODE = credit_code_make("91370100MA0000041")


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(dt.datetime(2026, 6, 15, 9, tzinfo=dt.UTC))


@pytest.fixture
def staff(make_user, centers):
    return make_user(Role.CENTER_STAFF, center=centers["jinan"])


BODY = {"subject_kind": "entity", "subject_key": CODE, "subject_name": "济南某建设有限公司", "source": "platform",
        "source_ref": "XY-EXT-1", "kind": "violation", "title": "虚假材料", "authority": "某市发展和改革委员会",
        "decided_on": "2026-06-01", "publication": "internal", "restrictions": [{"behaviour": "bid"}]}


def test_exchange_creates_a_record_and_the_query_shows_it_by_audience(client, staff):
    client.force_login(staff)
    response = client.post("/api/v1/credit/records", json.dumps(BODY), content_type="application/json")
    assert response.status_code == 201 and response.json()["restrictions"]
    again = client.post("/api/v1/credit/records", json.dumps(BODY), content_type="application/json")
    assert again.status_code == 409 and "更正" in again.json()["detail"]
    data = client.get(f"/api/v1/credit/entities/{CODE}").json()
    assert data["public_records"] == [] and len(data["records_in_force"]) == 1 and data["score"]["score"] == 70
    client.logout()
    data = client.get(f"/api/v1/credit/entities/{CODE}").json()
    assert data == {"credit_code": CODE, "public_records": [], "records_in_force": None, "score": None,
                    "national": None}


@pytest.mark.parametrize(("over", "field"), [({"decided_on": "1e400"}, "decided_on"), ({"kind": "x"}, "kind"),
                                              ({"subject_key": "bad"}, "subject_key")])
def test_exchange_refuses_bad_records_in_chinese(client, staff, over, field):
    client.force_login(staff)
    response = client.post("/api/v1/credit/records", json.dumps({**BODY, **over}), content_type="application/json")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not CreditRecord.objects.exists()
    bad = client.post("/api/v1/credit/records", "{not json", content_type="application/json")
    assert bad.status_code == 400 and any("\u4e00" <= ch <= "\u9fff" for ch in bad.json()["detail"])


def test_query_refuses_a_bad_code_and_bidders_cannot_submit(client, make_user):
    assert client.get("/api/v1/credit/entities/12345").status_code == 400
    client.force_login(make_user(Role.BIDDER))
    assert client.post("/api/v1/credit/records", json.dumps(BODY), content_type="application/json").status_code == 403


def test_export_is_json_lines_without_people(client, staff):
    services.record_create(actor=None, **{**BODY, "publication": "public", "restrictions": []})
    services.record_create(actor=None, subject_kind="person", subject_key=person_key("370102199001011234"),
                           subject_name="张三", source="supervision", kind="violation", title="违规",
                           authority="某局", decided_on=dt.date(2026, 6, 1))
    client.force_login(staff)
    response = client.get("/api/v1/credit/export")
    lines = [json.loads(x) for x in response.content.decode().splitlines()]
    assert response["Content-Type"] == "application/x-ndjson"
    assert [x["credit_code"] for x in lines] == [CODE]
