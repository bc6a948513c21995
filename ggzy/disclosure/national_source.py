"""Reading notices and results from another system in the national data exchange format (issue 17 item 3), the
flat records ``opendata.national`` writes: one record per public step of a 标段 with ``DATA_SET``,
``UNIFIED_DEAL_CODE``, ``BID_SECTION_CODE``, ``PLATFORM_CODE``, ``SOURCE_RECORD_ID`` and ``DATA_TIMESTAMP``.

A file is ``{"records": [...]}``, a JSON array of records, or JSON Lines (one record per line). Each record is
checked on its own: a bad one is refused with the element's name and a Chinese reason, the others go on. Like the
OCDS reader, nothing guesses: an amount that is not plain decimal text, a timestamp that is not a moment, an
identifier of the wrong shape are refused, never reinterpreted."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from . import ocds_source
from .ocds_source import FileRefused, RecordRefused, SourceItem

DATA_SETS = {"TENDER_ANNOUNCEMENT", "ANNOUNCEMENT_CHANGE", "BID_OPENING", "WIN_CANDIDATE", "WIN_RESULT", "CONTRACT",
             "TENDER_FAILURE"}
UNIFIED_CODE = re.compile(r"\d{6}\d{4}[0-9A-Z]{2}\d{6}", re.ASCII)
TIMESTAMP = re.compile(r"\d{14}", re.ASCII)
TEXT_MAX = {"BID_SECTION_CODE": 40, "BID_SECTION_NAME": 200, "PLATFORM_CODE": 64, "SOURCE_RECORD_ID": 200,
            "TENDERER_NAME": 200, "TENDER_AGENCY_NAME": 200, "TENDER_MODE": 64, "WIN_BIDDER_NAME": 200,
            "DATA_SET_NAME": 64}
AMOUNTS = ("CONTRACT_RECKON_PRICE", "WIN_BID_PRICE", "CONTRACT_AMOUNT")
MOMENTS = ("DOC_GET_START_TIME", "BID_DOC_REFER_END_TIME", "NOTICE_SEND_TIME", "CONTRACT_SIGN_TIME",
           "PUBLICITY_START_TIME", "BID_OPEN_TIME")


@dataclass(frozen=True)
class NationalRecord:
    """A checked record: what the notice is made of, and the source's identity."""

    source_id: str
    unified_code: str
    date: dt.datetime
    kept: dict[str, Any]


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _loads(text: str) -> Any:
    return json.loads(text, parse_constant=_reject_constant)


def read_items(data: bytes) -> list[SourceItem]:
    """The records of a national-format file; ``FileRefused`` when the file as a whole cannot be read."""
    if len(data) > ocds_source.MAX_FILE_BYTES:
        raise FileRefused("file", f"文件超过 {ocds_source.MAX_FILE_BYTES // (1024 * 1024)}MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("file", "文件须为 UTF-8 编码的 JSON") from None
    if not text.strip():
        raise FileRefused("file", "文件为空")
    try:
        document = _loads(text)
    except (json.JSONDecodeError, ValueError, RecursionError):
        return _json_lines(text)
    if isinstance(document, dict) and isinstance(document.get("records"), list):
        document = document["records"]
    elif isinstance(document, dict):
        document = [document]
    if not isinstance(document, list) or not document:
        raise FileRefused("file", "文件应为记录数组、含 records 的对象或 JSON Lines")
    return [SourceItem(n, release=value) for n, value in enumerate(document, start=1)]


def _json_lines(text: str) -> list[SourceItem]:
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(SourceItem(number, release=_loads(line)))
        except (json.JSONDecodeError, ValueError, RecursionError):
            if not items:
                raise FileRefused("file", f"文件不是有效的 JSON（第 {number} 行）") from None
            items.append(SourceItem(number, refused=RecordRefused(f"第{number}行", "不是有效的 JSON")))
    if not items:
        raise FileRefused("file", "文件为空")
    return items


def _text(record: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = record.get(key)
    if value in (None, ""):
        if required:
            raise RecordRefused(key, "不能为空")
        return ""
    if not isinstance(value, str):
        raise RecordRefused(key, "应为文本")
    ocds_source.text_check(value, key, "")
    if len(value) > TEXT_MAX.get(key, 2000):
        raise RecordRefused(key, f"过长（最多 {TEXT_MAX.get(key, 2000)} 个字）")
    return " ".join(value.split())


def _moment(record: dict[str, Any], key: str, *, required: bool = False) -> dt.datetime | None:
    value = _text(record, key, required=required)
    if not value:
        return None
    if not TIMESTAMP.fullmatch(value):
        raise RecordRefused(key, "应为14位时间 YYYYMMDDHHMMSS")
    try:
        return timezone.make_aware(dt.datetime.strptime(value, "%Y%m%d%H%M%S"))
    except ValueError:
        raise RecordRefused(key, f"{value} 不是有效时间") from None


def _amount(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,16}(?:\.[0-9]{1,2})?", value, re.ASCII):
        raise RecordRefused(key, "金额应为不超过两位小数的十进制文本，如 7480000.00")
    return value


def national_record(value: Any) -> NationalRecord:
    """Check one record; ``RecordRefused`` names the element and the reason."""
    if not isinstance(value, dict):
        raise RecordRefused("record", "每条记录应为 JSON 对象")
    data_set = _text(value, "DATA_SET", required=True)
    if data_set not in DATA_SETS:
        raise RecordRefused("DATA_SET", f"不支持的数据集 {data_set[:40]}")
    unified = _text(value, "UNIFIED_DEAL_CODE", required=True)
    if not UNIFIED_CODE.fullmatch(unified):
        raise RecordRefused("UNIFIED_DEAL_CODE", "统一交易标识码应为18位：区划6位+年份4位+类别2位+序号6位")
    section = _text(value, "BID_SECTION_CODE", required=True)
    platform = _text(value, "PLATFORM_CODE", required=True)
    record_id = _text(value, "SOURCE_RECORD_ID", required=True)
    date = _moment(value, "DATA_TIMESTAMP", required=True)
    assert date is not None
    kept: dict[str, Any] = {"DATA_SET": data_set, "UNIFIED_DEAL_CODE": unified, "BID_SECTION_CODE": section,
                            "PLATFORM_CODE": platform, "SOURCE_RECORD_ID": record_id,
                            "DATA_TIMESTAMP": value["DATA_TIMESTAMP"]}
    for key in ("BID_SECTION_NAME", "TENDERER_NAME", "TENDER_AGENCY_NAME", "TENDER_MODE", "WIN_BIDDER_NAME",
                "DATA_SET_NAME", "TENDER_PROJECT_CODE", "PUB_SERVICE_PLAT_CODE"):
        if text := _text(value, key):
            kept[key] = text
    for key in AMOUNTS:
        if amount := _amount(value, key):
            kept[key] = amount
    for key in MOMENTS:
        if _moment(value, key) is not None:
            kept[key] = value[key]
    candidates = value.get("CANDIDATES")
    if candidates not in (None, []):
        if not isinstance(candidates, list) or not all(isinstance(c, dict) for c in candidates):
            raise RecordRefused("CANDIDATES", "应为对象数组")
        kept["CANDIDATES"] = [{"CANDIDATE_RANK": _text(c, "CANDIDATE_RANK"), "BIDDER_NAME": _text(c, "BIDDER_NAME")}
                              for c in candidates[:20]]
    source_id = f"{platform}/{record_id}"[:ocds_source.SOURCE_ID_MAX]
    return NationalRecord(source_id=source_id, unified_code=unified, date=date, kept=kept)


def moment_text(value: str | None) -> str:
    """``YYYYMMDDHHMMSS`` as people read it."""
    if not value:
        return "—"
    return f"{value[0:4]}-{value[4:6]}-{value[6:8]} {value[8:10]}:{value[10:12]}"


def moment_of(value: str | None) -> dt.datetime | None:
    return timezone.make_aware(dt.datetime.strptime(value, "%Y%m%d%H%M%S")) if value else None
