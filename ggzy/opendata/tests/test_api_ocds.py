"""The OCDS endpoints: per process under /api/v1/ocds/… and /ocds/…json, the streamed JSON Lines export, and the
answers to bad input (Chinese, field named, nothing served)."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ggzy.opendata import ocds
from ggzy.tendering.tests.conftest import lot_ready


@pytest.fixture
def published(world):
    return lot_ready(world)


def _lines(response) -> list[dict]:
    assert response.streaming and response["Content-Type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]


@pytest.mark.django_db
def test_a_published_lot_is_one_process_everywhere(published, django_assert_max_num_queries):
    # given a published lot, anonymous
    client, ocid = Client(), ocds.ocid_for(published.code)
    # when its record is read from the API and from the plain JSON file
    with django_assert_max_num_queries(12):
        api = client.get(f"/api/v1/ocds/records/{ocid}")
    plain = client.get(f"/ocds/{ocid}.json")
    releases = client.get(f"/api/v1/ocds/releases/{ocid}").json()
    # then both are the same record package with the unified transaction identifier and the producing systems' IDs
    assert api.status_code == plain.status_code == 200
    record = api.json()["records"][0]
    assert record == plain.json()["records"][0]
    compiled = record["compiledRelease"]
    assert compiled["unifiedTransactionCode"] == published.project.code
    assert compiled["producingSystems"] == {"tradingSystemId": "SD-GGZY-T01", "serviceSystemId": "SD-GGZY-S01"}
    assert compiled["sourceIds"]["lotId"] == str(published.pk) and compiled["date"]
    assert [r["tag"] for r in releases["releases"]] == [["tender"]]
    assert ocid in client.get("/api/v1/ocds/processes").json()["ocids"]


@pytest.mark.django_db
@pytest.mark.parametrize("ocid", ["ocds-ggzysd-999", "nothing", "ocds-ggzysd-" + "9" * 200])
def test_an_unknown_process_is_404(published, ocid):
    client = Client()
    assert client.get(f"/api/v1/ocds/records/{ocid}").json()["detail"] == "对象不存在或无权查看"
    assert client.get(f"/ocds/{ocid}.json").status_code == 404


@pytest.mark.django_db
def test_a_draft_lot_is_not_open_data(world):
    # given a lot registered but never published
    from ggzy.tendering import services

    project = services.project_register(actor=world.tenderer, center=world.center, region=world.region, title="草稿",
                                        method="works_open_tender", estimated_price="100000",
                                        lots=[{"name": "一标段", "estimated_price": "100000"}])
    lot = project.lots.get()
    # then it has no record and no export line
    assert Client().get(f"/api/v1/ocds/records/{ocds.ocid_for(lot.code)}").status_code == 404
    assert _lines(Client().get("/api/v1/ocds/export")) == []


@pytest.mark.django_db
def test_export_streams_json_lines_of_the_range(published):
    client = Client()
    day = published.documents_issued_at.date()
    # when the day of publication is exported, and the day before
    inside = _lines(client.get(f"/api/v1/ocds/export?from={day}&to={day}"))
    before = _lines(client.get(f"/ocds/export.jsonl?to={day.replace(day=1) if day.day > 1 else day}&from=2020-01-01"))
    releases = _lines(client.get(f"/ocds/export.jsonl?from={day}&to={day}&kind=releases"))
    # then the lot is in its day's export (one record, or one release per line) and not before it
    assert [r["ocid"] for r in inside] == [ocds.ocid_for(published.code)]
    assert [r["ocid"] for r in releases] == [ocds.ocid_for(published.code)] and releases[0]["tag"] == ["tender"]
    if day.day > 1:
        assert before == []


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "field", "message"), [
    ("from=2026-13-01", "from", "日期格式应为 YYYY-MM-DD"),
    ("from=1e400", "from", "日期格式应为 YYYY-MM-DD"),
    ("from=2026-03-02&to=2026-03-01", "to", "结束日期不能早于开始日期"),
    ("from=2000-01-01&to=2026-01-01", "to", "导出范围不能超过"),
])
def test_bad_ranges_are_refused_in_chinese(published, query, field, message):
    client = Client()
    for url in (f"/api/v1/ocds/export?{query}", f"/ocds/export.jsonl?{query}"):
        response = client.get(url)
        assert response.status_code == 400
        assert message in response.json()["errors"][field][0]
    with pytest.raises(CommandError, match=message):
        params = dict(p.split("=") for p in query.split("&"))
        call_command("ocds", "export", *[a for k, v in params.items() for a in (f"--{k}", v)])


@pytest.mark.django_db
def test_bad_kind_is_refused(published):
    response = Client().get("/ocds/export.jsonl?kind=everything")
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    assert Client().get("/api/v1/ocds/export?kind=everything").status_code == 400


@pytest.mark.django_db
def test_a_rights_listing_is_one_process_everywhere(make_user, centers, django_assert_max_num_queries):
    # given a land listing announced on 2026-01-19 (its registration open) and one whose announcement is still to come
    import datetime as dt

    from ggzy.core import clock
    from ggzy.opendata import ocds_rights
    from ggzy.rights.tests.factories import SHANGHAI, listing_make

    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    announced = listing_make(make_user, centers["jinan"], listing_ends_at=dt.datetime(2026, 3, 20, 10, 0,
                                                                                       tzinfo=SHANGHAI))
    future = listing_make(make_user, centers["jinan"], listing_ends_at=dt.datetime(2026, 6, 30, 10, 0,
                                                                                    tzinfo=SHANGHAI))
    client, ocid = Client(), ocds_rights.ocid_for(announced.code)
    # when its record is read from the API, the plain file, the national format and the export by date
    with django_assert_max_num_queries(12):
        api = client.get(f"/api/v1/ocds/records/{ocid}")
    plain = client.get(f"/ocds/{ocid}.json")
    national = client.get(f"/api/v1/exchange/sections/{announced.code}").json()["records"]
    in_range = _lines(client.get("/api/v1/ocds/export", {"from": "2026-01-19", "to": "2026-01-19"}))
    before = _lines(client.get("/api/v1/ocds/export", {"from": "2026-01-01", "to": "2026-01-18"}))
    # then it is one process: the announcement, the grantor as procuring entity, no buyer, no category, no bids
    assert api.status_code == plain.status_code == 200 and api.json() == {**plain.json(), "uri": api.json()["uri"]}
    compiled = api.json()["records"][0]["compiledRelease"]
    assert compiled["tender"]["procurementMethod"] == "open"
    assert compiled["tender"]["procurementMethodDetails"] == "国有建设用地使用权挂牌出让"
    assert "buyer" not in compiled and "mainProcurementCategory" not in compiled["tender"]
    assert compiled["parties"][0]["roles"] == ["procuringEntity"] and "bids" not in compiled
    assert compiled["listingTerms"]["startPrice"] == "1000000.00"
    assert [r["DATA_SET"] for r in national] == ["RIGHTS_ANNOUNCEMENT"]
    assert [r["ocid"] for r in in_range] == [ocid] and before == []
    # and the listing not yet announced is nowhere
    assert client.get(f"/api/v1/ocds/records/{ocds_rights.ocid_for(future.code)}").status_code == 404
    assert client.get(f"/api/v1/exchange/sections/{future.code}").status_code == 404
    assert client.get("/api/v1/ocds/processes").json()["ocids"] == [ocid]
