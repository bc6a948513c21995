"""The national data exchange format (issue 17 item 2): one record per public step of a lot, each with the unified
transaction identifier, the producing systems' IDs, the source record IDs and the data timestamp; what is sealed at a
stage is absent (it is a projection of the masked OCDS releases); the date-range export streams JSON Lines."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from .conftest import PRICES, play

COMMON = {"DATA_SET", "DATA_SET_NAME", "UNIFIED_DEAL_CODE", "TENDER_PROJECT_CODE", "BID_SECTION_CODE",
          "PLATFORM_CODE", "PUB_SERVICE_PLAT_CODE", "SOURCE_RECORD_ID", "SOURCE_PROJECT_ID", "SOURCE_SECTION_ID",
          "DATA_TIMESTAMP"}


def _records(client, lot) -> list[dict]:
    answer = client.get(f"/api/v1/exchange/sections/{lot.code}")
    assert answer.status_code == 200, answer.content
    return answer.json()["records"]


@pytest.mark.django_db
def test_every_stage_gives_its_record_with_the_codes_and_nothing_sealed(world):
    client = Client()
    seen: dict[str, list[str]] = {}
    for stage, lot in play(world):
        records = _records(client, lot)
        seen[stage] = [r["DATA_SET"] for r in records]
        text = json.dumps(records, ensure_ascii=False)
        for record in records:
            # every record carries the identifiers and a data timestamp in Beijing time (YYYYMMDDHHMMSS)
            assert set(record) >= COMMON, COMMON - set(record)
            assert record["UNIFIED_DEAL_CODE"] == lot.project.code and record["BID_SECTION_CODE"] == lot.code
            assert lot.code.startswith(record["TENDER_PROJECT_CODE"]) and record["TENDER_PROJECT_CODE"]
            assert (record["PLATFORM_CODE"], record["PUB_SERVICE_PLAT_CODE"]) == ("SD-GGZY-T01", "SD-GGZY-S01")
            assert record["SOURCE_SECTION_ID"] == str(lot.pk) and re.fullmatch(r"\d{14}", record["DATA_TIMESTAMP"])
        if stage == "before_opening":
            # then before the opening nobody learns who bid, how many, or at what price
            for entity in world.bidder_entities[:3]:
                assert entity.name not in text and entity.credit_code not in text
            assert not any(p.replace(".00", "") in text for p in PRICES) and "BIDDER_COUNT" not in text
    assert seen["before_opening"] == ["TENDER_ANNOUNCEMENT"]
    assert seen["opening_decrypted"] == ["TENDER_ANNOUNCEMENT"]  # the record is not published yet
    assert seen["after_opening"] == ["TENDER_ANNOUNCEMENT", "BID_OPENING"]
    assert seen["candidates"][-1] == "WIN_CANDIDATE"
    assert seen["result_final"][-2:] == ["WIN_RESULT", "CONTRACT"]
    final = {r["DATA_SET"]: r for r in _records(client, lot)}
    opening = final["BID_OPENING"]
    assert opening["BIDDER_COUNT"] == 3 and sorted(b["BID_PRICE"] for b in opening["BIDDERS"]) == sorted(PRICES)
    assert {b["BIDDER_CODE"] for b in opening["BIDDERS"]} == {e.credit_code for e in world.bidder_entities[:3]}
    assert [c["CANDIDATE_RANK"] for c in final["WIN_CANDIDATE"]["CANDIDATES"]][:1] == ["1"]
    assert final["WIN_RESULT"]["WIN_BIDDER_NAME"] and final["CONTRACT"]["CONTRACT_AMOUNT"] == "7480000.00"
    assert final["TENDER_ANNOUNCEMENT"]["TENDERER_NAME"] == world.tenderer_entity.name


@pytest.mark.django_db
def test_the_export_streams_one_record_per_line_and_refuses_bad_dates(world):
    client = Client()
    for _stage, lot in play(world):
        pass
    export = client.get("/api/v1/exchange/export")
    assert export.streaming and export["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in b"".join(export.streaming_content).decode().splitlines()]
    assert [r["DATA_SET"] for r in lines if r["BID_SECTION_CODE"] == lot.code] == \
        [r["DATA_SET"] for r in _records(client, lot)]
    bad = client.get("/api/v1/exchange/export", {"from": "2026-13-01"})
    assert bad.status_code == 400 and "from" in bad.json()["errors"]
    assert client.get("/api/v1/exchange/sections/NO-SUCH-LOT").status_code == 404


@pytest.mark.django_db
def test_records_exported_here_import_elsewhere_as_notices_with_their_origin(world):
    # given a lot played to its contract, exported in the national format
    from ggzy.disclosure.models import Notice, NoticeOrigin
    from ggzy.disclosure.services_import import DUPLICATE, IMPORTED, REFUSED, notices_import_national
    from ggzy.registry.models import Center

    client = Client()
    for _stage, lot in play(world):
        pass
    data = b"".join(client.get("/api/v1/exchange/export").streaming_content)
    qingdao = Center.objects.get(code="370200")
    before = Notice.objects.count()
    # when another center imports the file at the console
    report = notices_import_national(actor=None, center=qingdao, data=data, source_system="某省公共资源交易平台",
                                     by_console=True)
    # then every step but the opening record is a notice, the opening record is reported with its reason
    outcomes = [(row.outcome, row.field) for row in report.rows]
    assert outcomes.count((REFUSED, "DATA_SET")) == 1 and report.imported == len(report.rows) - 1
    assert Notice.objects.count() == before + report.imported
    origins = NoticeOrigin.objects.filter(source_format="national").select_related("notice")
    types = {o.data["DATA_SET"]: o.notice.notice_type for o in origins}
    assert types["TENDER_ANNOUNCEMENT"] == "tender" and types["WIN_RESULT"] == "result"
    assert types["CONTRACT"] == "contract" and types["WIN_CANDIDATE"] == "candidates"
    contract = next(o for o in origins if o.data["DATA_SET"] == "CONTRACT")
    assert contract.notice.budget == 7480000 and contract.notice.center == qingdao
    assert lot.project.code in contract.notice.body and contract.notice.project_code == lot.code
    # and a second import skips them all
    again = notices_import_national(actor=None, center=qingdao, data=data, source_system="某省公共资源交易平台",
                                    by_console=True)
    assert again.count(DUPLICATE) == report.imported and again.count(IMPORTED) == 0
