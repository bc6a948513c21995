"""The national data format (全国信用信息共享平台数据格式) for the batch export and the credit query.

Two data sets, as the national "双公示" (行政许可和行政处罚信息) data standard and the 守信激励 (红名单) exchange define
them as best known here: ``xzcf`` (行政处罚 — violations and serious-breach list entries) and ``sxjl`` (守信激励 —
rewards). The field codes and Chinese names below follow the 行政处罚 standard's column set (CF_* codes); the code
values (行政相对人类别, 处罚类别) follow its dictionaries. NOT confirmed against the primary text: 待核实 — see
docs/credit-national-format.md for what is assumed.

Personal data never leaves: natural persons and experts are not exported at all (their records stay on the
platform); the legal representative's ID number column is present because the standard has it, and always empty
(the platform's registry does not give it to this layer, and the national platform receives it from the market
regulator). CSV in UTF-8 with a byte-order mark (what the provincial platforms' import templates open in Excel),
one header row of the field codes and a second row of their Chinese names, as the templates have them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from .models import CreditRecord, Kind, Publication, SubjectKind
from .publication import publication_end

STANDARD = "双公示数据标准（行政处罚）/ 守信激励 — 字段待核实"
VERIFY = True  # 待核实: the field set and code values are not confirmed from the primary text

# 行政处罚 (CF_*): (code, Chinese name).
XZCF_FIELDS: tuple[tuple[str, str], ...] = (
    ("CF_XDR_MC", "行政相对人名称"),
    ("CF_XDR_LB", "行政相对人类别"),
    ("CF_XDR_SHXYM", "统一社会信用代码"),
    ("CF_FRDB", "法定代表人"),
    ("CF_FR_ZJHM", "法定代表人证件号码"),
    ("CF_WSH", "行政处罚决定书文号"),
    ("CF_WFXW", "违法行为类型"),
    ("CF_SY", "违法事实"),
    ("CF_YJ", "处罚依据"),
    ("CF_CFLB", "处罚类别"),
    ("CF_NR", "处罚内容"),
    ("CF_JDRQ", "处罚决定日期"),
    ("CF_YXQ", "处罚有效期"),
    ("CF_GSJZQ", "公示截止期"),
    ("CF_CFJG", "处罚机关"),
    ("CF_SJLY", "数据来源单位"),
    ("CF_XXBH", "信息编号"),
    ("BZ", "备注"),
)

# 守信激励 (JL_*): (code, Chinese name).
SXJL_FIELDS: tuple[tuple[str, str], ...] = (
    ("JL_ZTMC", "主体名称"),
    ("JL_ZTLB", "主体类别"),
    ("JL_SHXYM", "统一社会信用代码"),
    ("JL_SY", "激励事由"),
    ("JL_RDWH", "认定文书号"),
    ("JL_RDJG", "认定单位"),
    ("JL_RDRQ", "认定日期"),
    ("JL_YXQZ", "有效期自"),
    ("JL_YXQZH", "有效期至"),
    ("JL_SJLY", "数据来源单位"),
    ("JL_XXBH", "信息编号"),
    ("BZ", "备注"),
)

DATASETS = {"xzcf": (XZCF_FIELDS, (Kind.VIOLATION, Kind.SERIOUS_BREACH)), "sxjl": (SXJL_FIELDS, (Kind.REWARD,))}

# 行政相对人类别 codes (待核实): 1 法人及非法人组织, 2 自然人, 3 个体工商户. Only 1 is ever exported.
SUBJECT_CATEGORY = {SubjectKind.ENTITY: "法人及非法人组织", SubjectKind.AGENCY: "法人及非法人组织"}
# 处罚类别 (待核实): a serious-breach list entry is exported as "其他—列入严重失信主体名单".
PENALTY_CATEGORY = {Kind.VIOLATION: "其他", Kind.SERIOUS_BREACH: "其他-列入严重失信主体名单"}
EXPORTED_SUBJECTS = (SubjectKind.ENTITY, SubjectKind.AGENCY)


def _day(value: dt.date | None) -> str:
    return value.strftime("%Y/%m/%d") if value else "2099/12/31"  # the standard's "长期" as its far date (待核实)


def _cell(value: Any) -> str:
    """A spreadsheet-safe cell: formula-leading characters are neutralised (CSV injection)."""
    text = str(value or "").replace("\r", " ").replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text


def records_for(dataset: str, *, limit: int = 50_000) -> list[CreditRecord]:
    """Current records shared or public, of legal persons only, of the data set's kinds, oldest first."""
    _fields, kinds = DATASETS[dataset]
    return list(CreditRecord.objects.filter(is_current=True, kind__in=kinds, subject_kind__in=EXPORTED_SUBJECTS,
                                            publication__in=[Publication.PUBLIC, Publication.SHARED])
                .prefetch_related("restrictions").order_by("pk")[:limit])


def national_row(dataset: str, record: CreditRecord, *, platform: str) -> dict[str, str]:
    """One record as the data set's row (field code → text). Never a person's data: refuses persons/experts."""
    if record.subject_kind not in EXPORTED_SUBJECTS:
        raise ValueError("自然人和评标专家的信用记录不按国家格式导出")
    restrictions = "；".join(f"{r.get_behaviour_display()}（{r.starts_on:%Y/%m/%d}至"
                            f"{r.ends_on.strftime('%Y/%m/%d') if r.ends_on else '有效期届满'}）"
                            for r in record.restrictions.all())
    number = f"{record.record_no}-v{record.version}"
    if dataset == "xzcf":
        return {
            "CF_XDR_MC": record.subject_name, "CF_XDR_LB": SUBJECT_CATEGORY[SubjectKind(record.subject_kind)],
            "CF_XDR_SHXYM": record.subject_key, "CF_FRDB": "", "CF_FR_ZJHM": "",
            "CF_WSH": record.decision_no, "CF_WFXW": record.title, "CF_SY": record.facts[:2000], "CF_YJ": "",
            "CF_CFLB": PENALTY_CATEGORY[Kind(record.kind)],
            "CF_NR": ("限制：" + restrictions) if restrictions else record.title,
            "CF_JDRQ": _day(record.decided_on), "CF_YXQ": _day(record.valid_until),
            "CF_GSJZQ": _day(publication_end(record)), "CF_CFJG": record.authority, "CF_SJLY": platform,
            "CF_XXBH": number, "BZ": record.get_national_list_display() if record.national_list else "",
        }
    return {
        "JL_ZTMC": record.subject_name, "JL_ZTLB": SUBJECT_CATEGORY[SubjectKind(record.subject_kind)],
        "JL_SHXYM": record.subject_key, "JL_SY": record.title, "JL_RDWH": record.decision_no,
        "JL_RDJG": record.authority, "JL_RDRQ": _day(record.decided_on), "JL_YXQZ": _day(record.valid_from),
        "JL_YXQZH": _day(record.valid_until), "JL_SJLY": platform, "JL_XXBH": number, "BZ": "",
    }


def national_csv(dataset: str, records: Iterable[CreditRecord], *, platform: str) -> bytes:
    """The data set as CSV (UTF-8 with BOM): a row of field codes, a row of their Chinese names, then the rows."""
    fields = DATASETS[dataset][0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([code for code, _name in fields])
    writer.writerow([name for _code, name in fields])
    for record in records:
        row = national_row(dataset, record, platform=platform)
        writer.writerow([_cell(row[code]) for code, _name in fields])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def national_query_view(record: CreditRecord, *, platform: str) -> dict[str, str] | None:
    """A record in the national format for the credit query (None for kinds outside both data sets)."""
    for dataset, (_fields, kinds) in DATASETS.items():
        if record.kind in kinds and record.subject_kind in EXPORTED_SUBJECTS:
            return {"dataset": dataset, **national_row(dataset, record, platform=platform)}
    return None
