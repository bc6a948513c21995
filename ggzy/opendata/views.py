"""OCDS open data as plain JSON files beside the portal: ``/ocds/<ocid>.json`` and ``/ocds/export.jsonl``."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from ggzy.core.errors import DomainError
from ggzy.core.permissions import PUBLIC, requires

from . import ranges, selectors

JSONL = "application/x-ndjson; charset=utf-8"


def _json(data, status: int = 200) -> HttpResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@requires(PUBLIC)
@require_GET
def record_json_view(request, ocid: str):
    package = selectors.record_package_public(ocid=ocid[:80], uri=request.build_absolute_uri())
    if package is None:
        raise Http404
    return _json(package)


@requires(PUBLIC)
@require_GET
def release_json_view(request, ocid: str):
    package = selectors.release_package_public(ocid=ocid[:80], uri=request.build_absolute_uri())
    if package is None:
        raise Http404
    return _json(package)


@requires(PUBLIC)
@require_GET
def export_view(request):
    kind = request.GET.get("kind", "records")
    try:
        if kind not in ("records", "releases"):
            raise DomainError("kind 只能是 records 或 releases", field="kind")
        since, until = ranges.export_window(request.GET.get("from"), request.GET.get("to"))
    except DomainError as exc:
        return HttpResponse(json.dumps(exc.as_dict(), ensure_ascii=False), status=400,
                            content_type="application/json; charset=utf-8")
    response = StreamingHttpResponse(selectors.export_lines(since=since, until=until, kind=kind), content_type=JSONL)
    response["Content-Disposition"] = 'attachment; filename="ocds-export.jsonl"'
    return response
