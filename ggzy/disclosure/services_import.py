"""Importing notices and results from other systems (issue 17 item 3): OCDS from SOE sunshine-procurement platforms
and other provinces' platforms, published on the portal as ordinary notices with their origin beside them.

Each release (or record) is imported in its own transaction through ``notice_publish`` — the path the platform's
own notices take, so the imported notice is searchable, audited and pushed like any other — and its
``NoticeOrigin`` is written in the same transaction: a refused release leaves nothing behind.

Re-import: the same release of the same source system again (same ocid and release id) is skipped and reported as
a duplicate. A newer release of the same ocid is a **new notice** (the portal keeps one notice per public step, as
it does for its own procedures: the tender notice stays and the result notice follows); the notices of one
contracting process share the ``ocid`` of their origin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.money import yuan

from . import national_source, ocds_source, policies, services
from .categories import portal_categories
from .models import NoticeOrigin, NoticeSourceFormat, NoticeType
from .services import TITLE_MAX

SOURCE_SYSTEM_MAX = 64
DEFAULT_CATEGORY = "02"  # OCDS is procurement data: without mainProcurementCategory a notice is 政府采购
CATEGORY_OF = {"goods": "02", "services": "02", "works": "01"}
DEADLINE_TYPES = {NoticeType.TENDER, NoticeType.PROCUREMENT, NoticeType.CHANGE}
IMPORTED, DUPLICATE, REFUSED = "imported", "duplicate", "refused"


@dataclass
class ImportRow:
    """One release of the file: imported (the new notice), skipped as a duplicate (the earlier notice) or refused
    (the OCDS field and the reason)."""

    index: int
    outcome: str
    source_id: str = ""
    notice_id: int | None = None
    field: str = ""
    reason: str = ""


@dataclass
class ImportReport:
    source_system: str
    rows: list[ImportRow] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def imported(self) -> int:
        return self.count(IMPORTED)

    @property
    def duplicates(self) -> int:
        return self.count(DUPLICATE)

    @property
    def refused(self) -> int:
        return self.count(REFUSED)


def _source_system_checked(*, actor, center, source_system: str, by_console: bool) -> str:
    if not (by_console and actor is None) and not policies.can_publish_notice(actor, center):
        raise NotAllowed("只有本中心工作人员可以导入公告", field="center")
    source_system = " ".join((source_system or "").split())
    if not source_system:
        raise DomainError("请填写来源系统名称", field="source_system")
    if len(source_system) > SOURCE_SYSTEM_MAX:
        raise DomainError(f"来源系统名称不能超过{SOURCE_SYSTEM_MAX}个字", field="source_system")
    return source_system


def notices_import_ocds(*, actor, center, data: bytes, source_system: str, by_console: bool = False) -> ImportReport:
    """Import every release of an OCDS file as a notice of ``center``; one bad release is reported (its index, the
    field, a Chinese reason) and the others go on. A file that cannot be read at all raises ``DomainError``.

    ``by_console=True`` is for the management command: the operator at the server's console (``actor=None``)."""
    return _import_file(actor=actor, center=center, data=data, source_system=source_system, by_console=by_console,
                        read_items=ocds_source.read_items, one=_import_one)


def notices_import_national(*, actor, center, data: bytes, source_system: str,
                            by_console: bool = False) -> ImportReport:
    """Import every record of a file in the national data exchange format (``national_source``) as a notice of
    ``center``, record by record as the OCDS import does; opening records (开标记录) are not notices and are
    reported as not imported."""
    return _import_file(actor=actor, center=center, data=data, source_system=source_system, by_console=by_console,
                        read_items=national_source.read_items, one=_import_national_one)


def _import_file(*, actor, center, data: bytes, source_system: str, by_console: bool,
                 read_items: Callable[[bytes], list[ocds_source.SourceItem]],
                 one: Callable[..., ImportRow]) -> ImportReport:
    """Read a file's items with ``read_items`` and import each with ``one``, item by item (one bad item is a row of
    the report, the others go on); a file that cannot be read at all raises ``DomainError``."""
    source_system = _source_system_checked(actor=actor, center=center, source_system=source_system,
                                           by_console=by_console)
    try:
        items = read_items(data)
    except ocds_source.FileRefused as exc:
        raise DomainError(exc.reason, field=exc.field) from None
    report = ImportReport(source_system=source_system)
    for item in items:
        report.rows.append(one(actor=actor, center=center, item=item, source_system=source_system,
                               by_console=by_console and actor is None))
    return report


def _import_one(*, actor, center, item: ocds_source.SourceItem, source_system: str, by_console: bool) -> ImportRow:
    if item.refused is not None:
        return _refused(item.index, "", item.refused.field, item.refused.reason)
    try:
        source = ocds_source.source_release(item.release)
        fields = notice_fields(source, source_system=source_system)
    except ocds_source.RecordRefused as exc:
        source_id = _source_id_of(item.release)
        return _refused(item.index, source_id, exc.field, exc.reason)
    return _keep(actor=actor, center=center, index=item.index, fields=fields, source_system=source_system,
                 by_console=by_console, origin={"source_format": NoticeSourceFormat.OCDS,
                                                "source_id": source.source_id, "ocid": source.ocid,
                                                "source_date": source.date, "data": source.kept})


def _import_national_one(*, actor, center, item: ocds_source.SourceItem, source_system: str,
                         by_console: bool) -> ImportRow:
    if item.refused is not None:
        return _refused(item.index, "", item.refused.field, item.refused.reason)
    try:
        record = national_source.national_record(item.release)
        fields = national_notice_fields(record, source_system=source_system)
    except ocds_source.RecordRefused as exc:
        return _refused(item.index, "", exc.field, exc.reason)
    return _keep(actor=actor, center=center, index=item.index, fields=fields, source_system=source_system,
                 by_console=by_console, origin={"source_format": NoticeSourceFormat.NATIONAL,
                                                "source_id": record.source_id,
                                                "ocid": record.kept["BID_SECTION_CODE"], "source_date": record.date,
                                                "data": record.kept})


def _keep(*, actor, center, index: int, fields: dict[str, Any], source_system: str, by_console: bool,
          origin: dict[str, Any]) -> ImportRow:
    """Publish the notice and write its origin in one transaction; a duplicate is skipped, a refusal names the
    field."""
    source_id = origin["source_id"]
    earlier = NoticeOrigin.objects.filter(source_system=source_system, source_id=source_id).first()
    if earlier is not None:
        return ImportRow(index, DUPLICATE, source_id, earlier.notice_id, reason="已导入过，跳过")
    try:
        with transaction.atomic():
            notice = services.notice_publish(actor=actor, center=center, region=center.region,
                                             by_procedure=by_console, **fields)
            kept = NoticeOrigin.objects.create(
                notice=notice, source_system=source_system, imported_at=clock.now(),
                imported_by=actor if getattr(actor, "is_authenticated", False) else None, **origin)
            audit_record(actor=actor, action="notice.import", obj=notice,
                         after={"source_system": source_system, "source_format": kept.source_format,
                                "source_id": kept.source_id})
    except IntegrityError:  # the same release imported at the same moment by another request
        earlier = NoticeOrigin.objects.filter(source_system=source_system, source_id=source_id).first()
        return ImportRow(index, DUPLICATE, source_id, earlier.notice_id if earlier else None,
                         reason="已导入过，跳过")
    except DomainError as exc:
        name, messages = next(iter(exc.errors.items()), ("__all__", [exc.message]))
        return _refused(index, source_id, name, messages[0])
    return ImportRow(index, IMPORTED, source_id, notice.pk)


def _refused(index: int, source_id: str, field: str, reason: str) -> ImportRow:
    """A refusal whose reason names the field (the report's table and the API show it as it is)."""
    named = reason if field in reason else f"{field}：{reason}"
    return ImportRow(index, REFUSED, source_id, field=field, reason=named)


def _source_id_of(release: Any) -> str:
    """ocid/id of a refused release when it has them as text, so the report can name it."""
    if isinstance(release, dict) and isinstance(release.get("ocid"), str) and isinstance(release.get("id"), str):
        text = f"{release['ocid']}/{release['id']}"[:ocds_source.SOURCE_ID_MAX]
        try:
            ocds_source.text_check(text, "id", "")
        except ocds_source.RecordRefused:  # NUL or a lone surrogate: the report cannot show it
            return ""
        return text
    return ""


# --- what the notice says --------------------------------------------------------------------------------------

def notice_fields(source: ocds_source.SourceRelease, *, source_system: str) -> dict[str, Any]:
    """The ``notice_publish`` arguments for a release: type from its tags and state, category from
    ``mainProcurementCategory``, title and body from the tender (the body names the origin), the budget only for
    an amount in CNY (other currencies stay in the origin and are shown as they are)."""
    kept = source.kept
    tender = kept.get("tender") or {}
    category = CATEGORY_OF.get(str(tender.get("mainProcurementCategory") or ""), DEFAULT_CATEGORY)
    notice_type = _notice_type(kept, category)
    value = ocds_source.main_value(kept)
    budget = None
    if isinstance(value, dict) and str(value.get("currency") or "").upper() == "CNY" \
            and value.get("amount") not in (None, ""):
        path = "tender.value.amount" if tender.get("value") is value else "planning.budget.amount.amount"
        try:
            budget = yuan(Decimal(str(value["amount"])), field=path)
        except DomainError as exc:
            raise ocds_source.RecordRefused(path, exc.message) from None
    deadline = None
    if notice_type in DEADLINE_TYPES:
        deadline = ocds_source.parse_datetime((tender.get("tenderPeriod") or {}).get("endDate"))
    now = clock.now()
    return {"notice_type": notice_type, "category_code": category, "title": _title(kept, source_system),
            "body": _body(kept, source_system), "budget": budget, "deadline": deadline,
            "published_at": min(source.date, now)}


def _notice_type(kept: dict[str, Any], category: str) -> str:
    """cancelled → 终止公告, unsuccessful → 流标公告, awards naming a supplier → 结果公告, an amendment or update
    of the tender → 变更公告, a tender → 招标公告 (works) or 采购公告, planning → 采购意向公开."""
    tags = set(kept["tag"])
    tender = kept.get("tender") or {}
    status = tender.get("status")
    if status == "cancelled":
        return NoticeType.TERMINATION
    if status == "unsuccessful":
        return NoticeType.FAILURE
    if any(s.get("name") for a in kept.get("awards") or [] for s in a.get("suppliers") or []):
        return NoticeType.RESULT
    if tender and tags & {"tenderAmendment", "tenderUpdate"} and "tender" not in tags:
        return NoticeType.CHANGE
    if tender and (tags & ({"tender"} | ocds_source.AWARD_TAGS) or not tags & {"planning", "planningUpdate"}):
        return NoticeType.TENDER if category == "01" else NoticeType.PROCUREMENT
    if tags & {"planning", "planningUpdate"}:
        return NoticeType.INTENTION
    raise ocds_source.RecordRefused("tag", "无法从 tag 判断公告类型（应含 planning、tender、award 等）")


def _one_line(text: Any) -> str:
    return " ".join(str(text or "").split())


def _title(kept: dict[str, Any], source_system: str) -> str:
    tender = kept.get("tender") or {}
    budget = (kept.get("planning") or {}).get("budget") or {}
    title = next((t for t in map(_one_line, (tender.get("title"), tender.get("description"),
                                             budget.get("description"), budget.get("project"))) if t),
                 f"{source_system} 采购项目 {kept['ocid']}")
    return title if len(title) <= TITLE_MAX else title[:TITLE_MAX - 1] + "…"


def _body(kept: dict[str, Any], source_system: str) -> str:
    """The notice text: where it came from first, then what the source says, in the source's own words."""
    tender = kept.get("tender") or {}
    lines = [f"本公告导入自{source_system}（OCDS 格式），内容以来源系统发布的为准。",
             f"来源编号：{kept['ocid']}（发布 {kept['id']}），来源发布时间：{kept['date']}。"]
    if (kept.get("buyer") or {}).get("name"):
        lines.append(f"采购人：{_one_line(kept['buyer']['name'])}")
    if tender.get("title"):
        lines.append(f"项目名称：{_one_line(tender['title'])}")
    if str(tender.get("description") or "").strip():
        lines.append(f"项目说明：{tender['description'].strip()}")
    budget = (kept.get("planning") or {}).get("budget") or {}
    if str(budget.get("description") or "").strip():
        lines.append(f"预算说明：{budget['description'].strip()}")
    amount = ocds_source.value_text(ocds_source.main_value(kept))
    if amount:
        lines.append(f"金额：{amount}")
    period = tender.get("tenderPeriod") or {}
    if period.get("startDate") or period.get("endDate"):
        lines.append(f"投标期：{period.get('startDate') or '—'} 至 {period.get('endDate') or '—'}")
    for award in kept.get("awards") or []:
        names = "、".join(_one_line(s.get("name")) for s in award.get("suppliers") or [] if s.get("name"))
        if names:
            value = ocds_source.value_text(award.get("value"))
            extra = "，".join(x for x in (f"金额 {value}" if value else "", award.get("date") or "") if x)
            lines.append(f"中标（成交）供应商：{names}" + (f"（{extra}）" if extra else ""))
    return "\n".join(lines)


# --- the national format: what the notice says -------------------------------------------------------------------

NATIONAL_TYPES = {"ANNOUNCEMENT_CHANGE": NoticeType.CHANGE, "WIN_CANDIDATE": NoticeType.CANDIDATES,
                  "WIN_RESULT": NoticeType.RESULT, "CONTRACT": NoticeType.CONTRACT,
                  "TENDER_FAILURE": NoticeType.FAILURE}
NATIONAL_BUDGET = {"TENDER_ANNOUNCEMENT": "CONTRACT_RECKON_PRICE", "ANNOUNCEMENT_CHANGE": "CONTRACT_RECKON_PRICE",
                   "WIN_RESULT": "WIN_BID_PRICE", "CONTRACT": "CONTRACT_AMOUNT"}


def national_notice_fields(record: national_source.NationalRecord, *, source_system: str) -> dict[str, Any]:
    """The ``notice_publish`` arguments for a national record: the class from the unified transaction identifier's
    category digits, the type from the data set, the amount of the step (estimate, winning price, contract)."""
    kept = record.kept
    data_set = kept["DATA_SET"]
    if data_set == "BID_OPENING":
        raise ocds_source.RecordRefused("DATA_SET", "开标记录不是公告，不导入（只导入公告、公示和结果）")
    category = record.unified_code[10:12]
    if category not in portal_categories():
        raise ocds_source.RecordRefused("UNIFIED_DEAL_CODE", f"类别代码 {category} 不在本平台的交易目录中")
    notice_type = NATIONAL_TYPES.get(data_set) or (NoticeType.TENDER if category == "01" else NoticeType.PROCUREMENT)
    budget = None
    if (key := NATIONAL_BUDGET.get(data_set)) and kept.get(key):
        budget = yuan(kept[key], field=key)
    deadline = national_source.moment_of(kept.get("BID_DOC_REFER_END_TIME")) if notice_type in DEADLINE_TYPES \
        else None
    name = kept.get("BID_SECTION_NAME") or f"{source_system} 标段 {kept['BID_SECTION_CODE']}"
    title = name if len(name) <= TITLE_MAX else name[:TITLE_MAX - 1] + "…"
    return {"notice_type": notice_type, "category_code": category, "title": title,
            "body": _national_body(kept, source_system), "budget": budget, "deadline": deadline,
            "project_code": kept["BID_SECTION_CODE"], "published_at": min(record.date, clock.now())}


def _national_body(kept: dict[str, Any], source_system: str) -> str:
    when = national_source.moment_text
    lines = [f"本公告导入自{source_system}（全国交换格式，{kept.get('DATA_SET_NAME') or kept['DATA_SET']}），"
             "内容以来源系统发布的为准。",
             f"统一交易标识码：{kept['UNIFIED_DEAL_CODE']}；标段（包）编号：{kept['BID_SECTION_CODE']}；"
             f"来源系统标识：{kept['PLATFORM_CODE']}；来源记录：{kept['SOURCE_RECORD_ID']}；"
             f"数据时间：{when(kept['DATA_TIMESTAMP'])}。"]
    labels = (("TENDERER_NAME", "招标人（采购人）"), ("TENDER_AGENCY_NAME", "代理机构"), ("TENDER_MODE", "交易方式"),
              ("CONTRACT_RECKON_PRICE", "估算价（元）"), ("WIN_BIDDER_NAME", "中标（成交）人"),
              ("WIN_BID_PRICE", "中标（成交）价（元）"), ("CONTRACT_AMOUNT", "合同金额（元）"))
    lines += [f"{label}：{kept[key]}" for key, label in labels if kept.get(key)]
    for key, label in (("DOC_GET_START_TIME", "文件获取开始"), ("BID_DOC_REFER_END_TIME", "投标（响应）截止"),
                       ("CONTRACT_SIGN_TIME", "合同签订")):
        if kept.get(key):
            lines.append(f"{label}：{when(kept[key])}")
    for candidate in kept.get("CANDIDATES", []):
        lines.append(f"第{candidate['CANDIDATE_RANK'] or '—'}名候选人：{candidate['BIDDER_NAME'] or '—'}")
    return "\n".join(lines)
