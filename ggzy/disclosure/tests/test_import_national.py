"""Importing the national exchange format (issue 17 item 3): each record on its own; a bad record names its element
and the reason and leaves nothing; a file that cannot be read at all is refused as a whole."""

from __future__ import annotations

import json

import pytest

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.disclosure.models import Notice, NoticeOrigin
from ggzy.disclosure.services_import import IMPORTED, REFUSED, notices_import_national

pytestmark = pytest.mark.django_db

GOOD = {"DATA_SET": "TENDER_ANNOUNCEMENT", "DATA_SET_NAME": "招标（采购）公告",
        "UNIFIED_DEAL_CODE": "370102202601000001", "BID_SECTION_CODE": "370102202601000001001001",
        "BID_SECTION_NAME": "某学校教学楼施工 · 第一标段", "PLATFORM_CODE": "XX-GGZY-T01", "SOURCE_RECORD_ID": "R-1",
        "DATA_TIMESTAMP": "20260302093000", "TENDERER_NAME": "某某学校", "CONTRACT_RECKON_PRICE": "12800000.00",
        "BID_DOC_REFER_END_TIME": "20260325093000", "TENDER_MODE": "公开招标"}


def _file(*records) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()


@pytest.mark.parametrize(("change", "field"), [
    ({"DATA_SET": "SOMETHING"}, "DATA_SET"),
    ({"UNIFIED_DEAL_CODE": "3701022026"}, "UNIFIED_DEAL_CODE"),
    ({"UNIFIED_DEAL_CODE": "370102202699000001"}, "UNIFIED_DEAL_CODE"),  # class 99 is not in the catalog
    ({"CONTRACT_RECKON_PRICE": "1e20"}, "CONTRACT_RECKON_PRICE"),
    ({"CONTRACT_RECKON_PRICE": 12800000}, "CONTRACT_RECKON_PRICE"),
    ({"DATA_TIMESTAMP": "20261332000000"}, "DATA_TIMESTAMP"),
    ({"SOURCE_RECORD_ID": ""}, "SOURCE_RECORD_ID"),
    ({"BID_SECTION_NAME": "a\u0000b"}, "BID_SECTION_NAME"),
])
def test_a_bad_record_is_refused_by_element_and_the_good_one_imported(centers, change, field):
    second = GOOD | {"SOURCE_RECORD_ID": "R-2"} | change
    report = notices_import_national(actor=None, center=centers["jinan"], data=_file(GOOD, second),
                                     source_system="外省平台", by_console=True)
    assert [r.outcome for r in report.rows] == [IMPORTED, REFUSED]
    assert report.rows[1].field == field and field in report.rows[1].reason
    assert Notice.objects.count() == NoticeOrigin.objects.count() == 1


def test_the_notice_says_where_it_came_from(centers):
    report = notices_import_national(actor=None, center=centers["jinan"], data=_file(GOOD),
                                     source_system="外省平台", by_console=True)
    notice = Notice.objects.get(pk=report.rows[0].notice_id)
    assert notice.notice_type == "tender" and notice.category_code == "01" and notice.budget == 12800000
    assert notice.title == "某学校教学楼施工 · 第一标段" and "外省平台（全国交换格式" in notice.body
    assert "统一交易标识码：370102202601000001" in notice.body and "投标（响应）截止：2026-03-25 09:30" in notice.body
    assert notice.origin.source_id == "XX-GGZY-T01/R-1" and notice.origin.source_format == "national"


def test_an_unreadable_file_and_a_stranger_are_refused(centers, make_user):
    with pytest.raises(DomainError) as unreadable:
        notices_import_national(actor=None, center=centers["jinan"], data=b"\xff\xfe", source_system="外省平台",
                                by_console=True)
    assert "file" in unreadable.value.errors
    with pytest.raises(DomainError):
        notices_import_national(actor=None, center=centers["jinan"], data=b"not json", source_system="外省平台",
                                by_console=True)
    with pytest.raises(NotAllowed):
        notices_import_national(actor=make_user(Role.BIDDER), center=centers["jinan"], data=_file(GOOD),
                                source_system="外省平台")
    assert not Notice.objects.exists()


def test_the_api_takes_the_national_format(client, centers, make_user):
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    answer = client.post("/api/v1/disclosure/imports?source_system=外省平台&source_format=national",
                         data=_file(GOOD), content_type="application/x-ndjson")
    assert answer.status_code == 200, answer.content
    assert answer.json()["imported"] == 1
    wrong = client.post("/api/v1/disclosure/imports?source_system=外省平台&source_format=xml", data=_file(GOOD),
                        content_type="application/x-ndjson")
    assert wrong.status_code == 400
