"""OCDS open data over the API: ``/api/v1/ocds/…`` (public, no login; masked by stage through the one table)."""

from django.http import Http404, StreamingHttpResponse
from ninja import Field, Query, Router, Schema

from ggzy.core.api_errors import answers
from ggzy.core.permissions import PUBLIC, requires

from . import ranges, selectors

router = Router()
JSONL = "application/x-ndjson; charset=utf-8"


class ExportFilters(Schema):
    date_from: str = Field("", max_length=10, alias="from")
    date_to: str = Field("", max_length=10, alias="to")
    kind: str = Field("records", pattern="^(records|releases)$")


@router.get("/processes", response=answers(dict, 400), summary="OCDS 交易过程清单（公开）")
@requires(PUBLIC)
def process_list(request, filters: Query[ExportFilters]):
    since, until = ranges.export_window(filters.date_from, filters.date_to)
    return {"ocids": selectors.process_list_public(since=since, until=until)}


@router.get("/records/{ocid}", response=answers(dict, 400, 404), summary="OCDS 记录包：一个交易过程的全部发布与汇总（公开）")
@requires(PUBLIC)
def record_detail(request, ocid: str):
    package = selectors.record_package_public(ocid=ocid[:80], uri=request.build_absolute_uri())
    if package is None:
        raise Http404
    return package


@router.get("/releases/{ocid}", response=answers(dict, 400, 404), summary="OCDS 发布包：一个交易过程的各次发布（公开）")
@requires(PUBLIC)
def release_detail(request, ocid: str):
    package = selectors.release_package_public(ocid=ocid[:80], uri=request.build_absolute_uri())
    if package is None:
        raise Http404
    return package


@router.get("/export", response=answers(None, 400), summary="OCDS 批量导出（JSON Lines，按日期范围，流式）")
@requires(PUBLIC)
def export(request, filters: Query[ExportFilters]):
    since, until = ranges.export_window(filters.date_from, filters.date_to)
    lines = selectors.export_lines(since=since, until=until, kind=filters.kind)
    response = StreamingHttpResponse(lines, content_type=JSONL)
    response["Content-Disposition"] = 'attachment; filename="ocds-export.jsonl"'
    return response


# --- the national data exchange format (national.py), beside OCDS: ``/api/v1/exchange/…`` ---------------------------

national_router = Router()


class NationalFilters(Schema):
    date_from: str = Field("", max_length=10, alias="from")
    date_to: str = Field("", max_length=10, alias="to")


@national_router.get("/sections/{lot_code}", response=answers(dict, 400, 404),
                     summary="全国交换格式：一个标段（包）的各环节记录（公开；统一交易标识码、系统标识、数据时间戳）")
@requires(PUBLIC)
def national_section(request, lot_code: str):
    records = selectors.national_section_public(lot_code=lot_code[:40])
    if records is None:
        raise Http404
    return {"records": records}


@national_router.get("/export", response=answers(None, 400), summary="全国交换格式批量导出（JSON Lines，按日期范围，流式）")
@requires(PUBLIC)
def national_export(request, filters: Query[NationalFilters]):
    since, until = ranges.export_window(filters.date_from, filters.date_to)
    response = StreamingHttpResponse(selectors.national_export_lines(since=since, until=until), content_type=JSONL)
    response["Content-Disposition"] = 'attachment; filename="national-exchange.jsonl"'
    return response
