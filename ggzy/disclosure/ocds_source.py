"""OCDS from other systems (SOE sunshine-procurement platforms, other provinces): reading a file into releases,
checking each one, keeping the values the platform models verbatim, and giving them back as an OCDS release.

No database here: ``services_import`` stores what this module reads, and ``selectors`` exports it.

- A file is a release package (``releases``), a record package (``records``), one record (``compiledRelease`` /
  ``releases`` with an ``ocid``), one release, a JSON array of releases, or JSON Lines (one release or record per
  line). A record is read as its compiled release (its tags are those of its embedded releases); without one, its
  newest embedded release.
- Every number is read as its text (``RawNumber``), so NaN, Infinity, 1e400 or a 5,000-digit integer reach the
  checks instead of crashing the parser; the release that holds one is refused, naming the field, the rest go on.
- What is kept (``KEPT``): ocid, id, date, tag, language, buyer (id, name), tender (id, title, description,
  status, value, tenderPeriod, mainProcurementCategory, procurementMethod), planning.budget (description, project,
  amount; when ``planning`` is an object as the schema says — Armeps tender releases carry a list, not kept), awards (id, title, status, date, value, suppliers' id and name). Keys absent in the source stay absent,
  empty strings stay empty: the export gives the same values back. Parties' contact points, bids and documents are
  not kept: the notice shows what a result notice shows (sealed bid prices and bidders are not a notice's content).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ggzy.core.money import money_limit, number_text

MAX_FILE_BYTES = 20 * 1024 * 1024
OCID_MAX = 128
SOURCE_ID_MAX = 255
# Any number in a release beyond this magnitude (10^18) is not a quantity, date part or amount of a real process.
NUMBER_MAX_EXPONENT = 18
AMOUNT_MAX = money_limit()  # the platform's amount columns; the same bound for every currency
YEAR_MIN, YEAR_MAX = 1900, 2200
_PLAIN_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)
_CONSTANTS = {"NaN", "Infinity", "-Infinity"}
AWARD_TAGS = {"award", "awardUpdate", "awardCancellation", "contract", "contractUpdate", "contractAmendment",
              "implementation", "implementationUpdate", "contractTermination", "compiled"}


@dataclass(frozen=True)
class RawNumber:
    """A JSON number (or NaN/Infinity) as the source wrote it, checked before it is ever converted."""

    text: str


class RecordRefused(Exception):
    """One release or record cannot be imported; ``field`` is its OCDS path, ``reason`` says why (Chinese)."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class FileRefused(Exception):
    """The file as a whole cannot be read (not UTF-8, not JSON, not an OCDS shape): nothing is imported."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(reason)


@dataclass
class SourceItem:
    """One release (or record) of the file, by its position (1-based; the line number for JSON Lines)."""

    index: int
    release: Any = None
    refused: RecordRefused | None = None


def _loads(text: str) -> Any:
    return json.loads(text, parse_float=RawNumber, parse_int=RawNumber, parse_constant=RawNumber)


def _where(exc: json.JSONDecodeError) -> str:
    return f"第 {exc.lineno} 行第 {exc.colno} 列格式不正确"


# --- reading a file ------------------------------------------------------------------------------------------------

def read_items(data: bytes) -> list[SourceItem]:
    """The releases of an OCDS file, each to be checked on its own; ``FileRefused`` when the file is unreadable."""
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused("file", f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)}MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("file", "文件须为 UTF-8 编码的 JSON") from None
    if not text.strip():
        raise FileRefused("file", "文件为空")
    try:
        document = _loads(text)
    except json.JSONDecodeError as exc:
        lines = _json_lines(text)
        if lines is None:
            raise FileRefused("file", f"文件不是有效的 JSON：{_where(exc)}") from None
        return lines
    except RecursionError:
        raise FileRefused("file", "文件不是有效的 JSON：嵌套层数过多") from None
    return _items_of(document)


def _json_lines(text: str) -> list[SourceItem] | None:
    """JSON Lines when the first non-empty line is a JSON object and there is more than one line; else None."""
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(numbered) < 2:
        return None
    items = []
    for position, (number, line) in enumerate(numbered):
        try:
            value = _loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            if position == 0:
                return None
            reason = _where(exc).replace("第 1 行", "") if isinstance(exc, json.JSONDecodeError) else "嵌套层数过多"
            items.append(SourceItem(number, refused=RecordRefused(f"第{number}行", f"不是有效的 JSON：{reason}")))
            continue
        if position == 0 and not isinstance(value, dict):
            return None
        items.append(_item(number, value))
    return items


def _items_of(document: Any) -> list[SourceItem]:
    if isinstance(document, list):
        return [_item(n, value) for n, value in enumerate(document, start=1)]
    if not isinstance(document, dict):
        raise FileRefused("file", "OCDS 文件须为 JSON 对象（发布包、记录包）或 JSON Lines")
    if "records" in document:
        records = document["records"]
        if not isinstance(records, list):
            raise FileRefused("records", "records 须为数组")
        return [SourceItem(n, *_record_release(record, f"records[{n - 1}]")) for n, record in enumerate(records, 1)]
    if _is_record(document):
        return [SourceItem(1, *_record_release(document, ""))]
    if "releases" in document:
        releases = document["releases"]
        if not isinstance(releases, list):
            raise FileRefused("releases", "releases 须为数组")
        return [SourceItem(n, release) for n, release in enumerate(releases, start=1)]
    if "ocid" in document:
        return [SourceItem(1, document)]
    raise FileRefused("file", "无法识别的 OCDS 文件：须为发布包（releases）、记录包（records）、记录或每行一个发布的 JSON Lines")


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and ("compiledRelease" in value or "versionedRelease" in value
                                        or ("ocid" in value and "releases" in value and "id" not in value))


def _item(index: int, value: Any) -> SourceItem:
    return SourceItem(index, *_record_release(value, "")) if _is_record(value) else SourceItem(index, value)


def _record_release(record: Any, path: str) -> tuple[Any, RecordRefused | None]:
    """A record as one release: its compiled release with the tags of its embedded releases, or the newest
    embedded release; (None, refusal) when it has neither."""
    prefix = f"{path}." if path else ""
    if not isinstance(record, dict):
        return None, RecordRefused(path or "record", "记录须为 JSON 对象")
    embedded = [r for r in record.get("releases") or [] if isinstance(r, dict) and "tag" in r] \
        if isinstance(record.get("releases"), list) else []
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        release = dict(compiled)
        tags = [t for r in embedded if isinstance(r.get("tag"), list) for t in r["tag"]]
        if tags and release.get("tag") in (None, ["compiled"]):
            release["tag"] = list(dict.fromkeys(t for t in tags if isinstance(t, str)))
        if "id" not in release and embedded:
            release["id"] = embedded[-1].get("id")
        return release, None
    dated = [r for r in embedded if _parse_datetime(r.get("date")) is not None]
    if dated:
        return max(dated, key=lambda r: _parse_datetime(r["date"])), None  # type: ignore[arg-type,return-value]
    return None, RecordRefused(f"{prefix}compiledRelease", "记录既没有 compiledRelease，也没有带日期的内嵌发布")


# --- checking one release ------------------------------------------------------------------------------------------

@dataclass
class SourceRelease:
    """One release as the platform imports it: the kept values (JSON, plain numbers) and what they mean."""

    kept: dict[str, Any]
    ocid: str
    release_id: str
    date: dt.datetime

    @property
    def source_id(self) -> str:
        return f"{self.ocid}/{self.release_id}"


def source_release(release: Any) -> SourceRelease:
    """Check a release and reduce it to the kept values; ``RecordRefused`` names the first field that is wrong."""
    if not isinstance(release, dict):
        raise RecordRefused("release", "发布须为 JSON 对象")
    _scan(release, "")
    ocid = release.get("ocid")
    if not isinstance(ocid, str) or not ocid.strip():
        raise RecordRefused("ocid", "缺少 ocid（开放合同编号）")
    if len(ocid) > OCID_MAX:
        raise RecordRefused("ocid", f"ocid 不能超过 {OCID_MAX} 个字符")
    release_id = release.get("id")
    if isinstance(release_id, RawNumber) and _INTEGER.fullmatch(release_id.text):
        release_id_text = release_id.text
    elif isinstance(release_id, str) and release_id.strip():
        release_id_text = release_id
    else:
        raise RecordRefused("id", "缺少发布编号（id），或不是文本")
    if len(ocid) + 1 + len(release_id_text) > SOURCE_ID_MAX:
        raise RecordRefused("id", f"ocid 与发布编号合计不能超过 {SOURCE_ID_MAX} 个字符")
    date = _parse_datetime(release.get("date"))
    if date is None:
        raise RecordRefused("date", f"发布时间（date）须为 {YEAR_MIN}—{YEAR_MAX} 年间的 ISO 8601 时间，"
                                    "例如 2018-01-11T17:29:09+04:00")
    tag = release.get("tag")
    if not isinstance(tag, list) or not tag or not all(isinstance(t, str) for t in tag):
        raise RecordRefused("tag", "tag 须为非空的文本数组")
    kept: dict[str, Any] = {"ocid": ocid, "id": _plain(release_id), "date": release["date"], "tag": list(tag)}
    if isinstance(release.get("language"), str):
        kept["language"] = release["language"]
    if "buyer" in release:
        kept["buyer"] = _pick(_object(release["buyer"], "buyer"), "buyer", ("id", "name"))
    if "tender" in release:
        kept["tender"] = _tender(_object(release["tender"], "tender"))
    planning = release.get("planning")
    if isinstance(planning, dict) and isinstance(planning.get("budget"), dict):
        budget = _pick(planning["budget"], "planning.budget", ("description", "project"))
        if "amount" in planning["budget"]:
            budget["amount"] = _value(planning["budget"]["amount"], "planning.budget.amount")
        kept["planning"] = {"budget": budget}
    if "awards" in release:
        awards = release["awards"]
        if not isinstance(awards, list):
            raise RecordRefused("awards", "awards 须为数组")
        kept["awards"] = [_award(_object(a, f"awards[{i}]"), f"awards[{i}]") for i, a in enumerate(awards)]
    return SourceRelease(kept=kept, ocid=ocid, release_id=release_id_text, date=date)


def _scan(value: Any, path: str) -> None:
    """Refuse the release if any number anywhere is not finite or absurdly large, or any text holds a NUL."""
    if isinstance(value, RawNumber):
        if value.text in _CONSTANTS:
            raise RecordRefused(path or "release", f"不接受 {value.text}，数字必须是有限值")
        try:
            number = Decimal(value.text)
        except InvalidOperation:  # pragma: no cover - the JSON grammar admits only valid numbers
            raise RecordRefused(path or "release", "数字格式不正确") from None
        if number and number.adjusted() > NUMBER_MAX_EXPONENT:
            raise RecordRefused(path or "release", "数值超出范围")
    elif isinstance(value, str):
        text_check(value, path or "release", "")
    elif isinstance(value, dict):
        for key, item in value.items():
            text_check(key, path or "release", "属性名")
            _scan(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _scan(item, f"{path}[{index}]")


def text_check(text: str, path: str, what: str) -> None:
    """Text the databases can store: no NUL (PostgreSQL refuses it) and no lone surrogate (not UTF-8)."""
    if "\x00" in text:
        raise RecordRefused(path, f"{what}不能包含空字符（\\u0000）")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordRefused(path, f"{what}含无效的 Unicode 字符（单独的代理项）") from None


def _plain(value: Any) -> Any:
    """A checked value as plain JSON: numbers become int or float (what ``json.loads`` gives for the same text)."""
    if isinstance(value, RawNumber):
        return int(value.text) if _INTEGER.fullmatch(value.text) else float(value.text)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordRefused(path, f"{path} 须为 JSON 对象")
    return value


def _pick(source: dict[str, Any], path: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """The ``keys`` present in ``source``, each text or null (as written)."""
    picked = {}
    for key in keys:
        if key in source:
            if source[key] is not None and not isinstance(source[key], str):
                raise RecordRefused(f"{path}.{key}", f"{path}.{key} 须为文本")
            picked[key] = source[key]
    return picked


def _value(value: Any, path: str) -> Any:
    """An OCDS Value (amount, currency) kept as written; the amount is a plain number within the platform's range
    (either sign), or empty ("" or null, as some publishers write an unknown amount)."""
    if value is None:
        return None
    value = _object(value, path)
    kept = _pick(value, path, ("currency",))
    if "amount" in value:
        amount = value["amount"]
        if amount is None or amount == "":
            kept["amount"] = amount
        else:
            kept["amount"] = _plain(_amount(amount, f"{path}.amount"))
    return kept


def _amount(amount: Any, path: str) -> RawNumber:
    if not isinstance(amount, RawNumber) or not _PLAIN_AMOUNT.fullmatch(amount.text.lstrip("-")):
        raise RecordRefused(path, "金额须为普通数字（不接受文本、科学计数法、NaN 或 Infinity）")
    # a negative amount is a source's own statement (Armeps plans carry budget reductions): kept as written; only
    # a budget in yuan must be non-negative (``money.yuan``)
    if abs(Decimal(amount.text)) > AMOUNT_MAX:
        raise RecordRefused(path, f"金额超出允许范围（不得超过{number_text(AMOUNT_MAX)}）")
    return amount


def _tender(tender: dict[str, Any]) -> dict[str, Any]:
    kept = _pick(tender, "tender", ("id", "title", "description", "status", "mainProcurementCategory",
                                    "procurementMethod"))
    if "value" in tender:
        kept["value"] = _value(tender["value"], "tender.value")
    if "tenderPeriod" in tender:
        period = tender["tenderPeriod"]
        if period is not None:
            period = _pick(_object(period, "tender.tenderPeriod"), "tender.tenderPeriod",
                           ("startDate", "endDate", "maxExtentDate"))
            if "durationInDays" in tender["tenderPeriod"]:
                days = tender["tenderPeriod"]["durationInDays"]
                if days is not None and not (isinstance(days, RawNumber) and _INTEGER.fullmatch(days.text)):
                    raise RecordRefused("tender.tenderPeriod.durationInDays", "durationInDays 须为整数")
                period["durationInDays"] = _plain(days)
        kept["tenderPeriod"] = period
    return kept


def _award(award: dict[str, Any], path: str) -> dict[str, Any]:
    kept = _pick(award, path, ("title", "status", "date"))
    if "id" in award:
        award_id = award["id"]
        if isinstance(award_id, RawNumber) and _INTEGER.fullmatch(award_id.text):
            kept["id"] = _plain(award_id)
        else:
            kept.update(_pick(award, path, ("id",)))
    if "value" in award:
        kept["value"] = _value(award["value"], f"{path}.value")
    if "suppliers" in award:
        suppliers = award["suppliers"]
        if not isinstance(suppliers, list):
            raise RecordRefused(f"{path}.suppliers", "suppliers 须为数组")
        kept["suppliers"] = [_pick(_object(s, f"{path}.suppliers[{i}]"), f"{path}.suppliers[{i}]", ("id", "name"))
                             for i, s in enumerate(suppliers)]
    return kept


def _parse_datetime(value: Any) -> dt.datetime | None:
    """An ISO 8601 time (a time without an offset is read as UTC); None for anything else."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    try:  # a time the database can store in UTC, within the years a procurement can be dated
        in_utc = parsed.astimezone(dt.UTC)
    except OverflowError:
        return None
    return parsed if YEAR_MIN <= in_utc.year <= YEAR_MAX else None


def parse_datetime(value: Any) -> dt.datetime | None:
    return _parse_datetime(value)


# --- writing it back ----------------------------------------------------------------------------------------------

def release_of(kept: dict[str, Any], *, source_system: str, imported_at: dt.datetime) -> dict[str, Any]:
    """The OCDS release of an imported notice: the kept values as the source wrote them, plus where it came from
    (``importedFrom``, an additional field outside the OCDS schema)."""
    release = json.loads(json.dumps(kept))
    release["importedFrom"] = {"sourceSystem": source_system, "format": "ocds",
                               "importedAt": imported_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")}
    return release


def main_value(kept: dict[str, Any]) -> Any:
    """The amount a notice shows: the tender's value, else the planning budget's."""
    tender = kept.get("tender") or {}
    if isinstance(tender.get("value"), dict) and tender["value"].get("amount") not in (None, ""):
        return tender["value"]
    return ((kept.get("planning") or {}).get("budget") or {}).get("amount")


def value_text(value: Any) -> str:
    """An OCDS Value as the page shows it: "金额 16000 AMD" style text ("" when there is no amount)."""
    if not isinstance(value, dict) or value.get("amount") in (None, ""):
        return ""
    amount = value["amount"]
    text = number_text(Decimal(str(amount))) if isinstance(amount, int | float) else str(amount)
    currency = value.get("currency") or ""
    return f"{text} {currency}".strip()
