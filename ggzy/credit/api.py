"""Credit API: ``/api/v1/credit/…`` — query a subject's credit by unified social credit code (the public sees its
public records in their publication period; staff and supervisors also its records in force and its score with
the breakdown), the exchange door through which other platforms' records arrive (same service as the pages), and
a batch export as JSON Lines (the platform's own format) and in the national data format (``national``: CSV of the
行政处罚 / 守信激励 data sets, 待核实) for the provincial and national credit platforms."""

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from ggzy.core.api_errors import ACTION, LOOKUP, answers
from ggzy.core.audit import jsonable
from ggzy.core.credit_code import credit_code_validate
from ggzy.core.errors import DomainError
from ggzy.core.permissions import PUBLIC, requires, roles
from ggzy.core.roles import Role

from . import evaluation, national, publication, report, selectors, services
from .masking import record_public_view
from .models import CreditRecord, Publication

router = Router()
CREDIT_STAFF = roles(Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN)
EXPORT_MAX = 50_000


class RecordOut(Schema):
    record_no: str
    version: int
    subject_kind: str
    subject_name: str
    subject_key: str
    kind: str
    source: str
    title: str
    authority: str
    decision_no: str
    decided_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    published_until: dt.date
    restrictions: list[str]


class CreditOut(Schema):
    credit_code: str
    public_records: list[RecordOut]
    records_in_force: list[RecordOut] | None = None
    score: dict[str, Any] | None = None
    national: list[dict[str, str]] | None = Field(
        None, description="format=national: the public records in the national data format (行政处罚/守信激励, 待核实)")


class RestrictionIn(Schema):
    behaviour: str = Field(max_length=16, description="signup / bid / award / expert_draw / agency")
    starts_on: str = Field("", max_length=20)
    ends_on: str = Field("", max_length=20)


class RecordIn(Schema):
    subject_kind: str = Field(max_length=10, description="entity / agency / person / expert")
    subject_key: str = Field(max_length=64)
    subject_name: str = Field(max_length=200)
    source: str = Field(max_length=16)
    source_ref: str = Field("", max_length=64)
    kind: str = Field(max_length=16)
    title: str = Field(max_length=200)
    facts: str = Field("", max_length=5000)
    authority: str = Field(max_length=200)
    decision_no: str = Field("", max_length=100)
    decided_on: str = Field(max_length=20)
    valid_from: str = Field("", max_length=20)
    valid_until: str = Field("", max_length=20)
    publication: str = Field("public", max_length=10)
    restrictions: list[RestrictionIn] = Field(default_factory=list, max_length=5)


def _out(record: CreditRecord) -> dict[str, Any]:
    view = record_public_view(record)
    view.update(subject_kind=record.subject_kind, kind=record.kind, source=record.source)
    return view


@router.get("/entities/{credit_code}", response=answers(CreditOut, 400, 404), summary="按统一社会信用代码查询信用信息")
@requires(PUBLIC)
def credit_query(request, credit_code: str, format: str = ""):  # noqa: A002 (the query parameter's name)
    code = credit_code_validate(credit_code[:40], field="credit_code")
    if format not in ("", "national"):
        raise DomainError("格式只能为空或 national（国家信用信息交换格式）", field="format")
    public = [r for r in publication.public_records(q=code) if r.subject_key == code]
    out: dict[str, Any] = {"credit_code": code, "public_records": [_out(r) for r in public]}
    if format == "national":
        platform = str(settings.GGZY_PLATFORM_NAME)
        rows = (national.national_query_view(r, platform=platform) for r in public)
        out["national"] = [row for row in rows if row is not None]
    if CREDIT_STAFF.allows(request.user):
        kind = "agency" if CreditRecord.objects.filter(subject_kind="agency", subject_key=code).exists() else "entity"
        out["records_in_force"] = [_out(r) for r in selectors.records_in_force(kind, code)]
        out["score"] = evaluation.score_compute(kind, code)
    return out


@router.post("/records", response=answers(RecordOut, *ACTION, status=201), summary="报送信用记录（数据交换）")
@requires(CREDIT_STAFF)
def record_submit(request, payload: RecordIn):
    data = payload.dict()
    data["restrictions"] = [{k: v for k, v in r.items() if v} for r in data["restrictions"]]
    record = services.record_create(actor=request.user, **data)
    return Status(201, _out(record))


@router.get("/export", response=answers(None, *LOOKUP), summary="批量导出（JSON Lines，省级和全国信用平台）")
@requires(CREDIT_STAFF)
def credit_export(request):
    rows = (CreditRecord.objects.filter(is_current=True, publication__in=[Publication.PUBLIC, Publication.SHARED])
            .exclude(subject_kind="person").prefetch_related("restrictions").order_by("pk")[:EXPORT_MAX])
    lines = []
    for r in rows:
        lines.append(json.dumps(jsonable({
            "record_no": r.record_no, "version": r.version, "subject_kind": r.subject_kind,
            "credit_code": r.subject_key, "subject_name": r.subject_name, "source": r.source, "kind": r.kind,
            "national_list": r.national_list, "title": r.title, "authority": r.authority,
            "decision_no": r.decision_no, "decided_on": r.decided_on, "valid_from": r.valid_from,
            "valid_until": r.valid_until, "publication": r.publication,
            "restrictions": [[x.behaviour, x.starts_on, x.ends_on] for x in r.restrictions.all()],
            "ledger_source_id": r.ledger_source_id}), ensure_ascii=False))
    response = HttpResponse("\n".join(lines) + ("\n" if lines else ""), content_type="application/x-ndjson")
    response["Content-Disposition"] = 'attachment; filename="credit-records.jsonl"'
    return response


@router.get("/export/national", response=answers(None, *LOOKUP),
            summary="批量导出（国家信用信息交换格式 CSV：xzcf 行政处罚 / sxjl 守信激励，字段待核实）")
@requires(CREDIT_STAFF)
def credit_export_national(request, dataset: str = "xzcf"):
    if dataset not in national.DATASETS:
        raise DomainError("数据集只能为 xzcf（行政处罚）或 sxjl（守信激励）", field="dataset")
    body = national.national_csv(dataset, national.records_for(dataset, limit=EXPORT_MAX),
                                 platform=str(settings.GGZY_PLATFORM_NAME))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="credit-{dataset}.csv"'
    return response


@router.get("/my/report.pdf", response=answers(None, *LOOKUP),
            summary="下载本单位信用报告（PDF，平台电子签章，附机器可读报告；仅本单位）")
@requires(roles(Role.BIDDER, Role.TENDERER, Role.AGENCY))
def my_credit_report_pdf(request):
    from .views import acting_firm, pdf_response

    entity = acting_firm(request.user)
    name, pdf = report.credit_report_pdf(credit_code=entity.credit_code, name=entity.name)
    return pdf_response(name, pdf)
