"""Tender-document pages: the streamed, logged download of one document (the list is part of the lot page)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path

from ggzy.core.errors import DomainError, NotFound
from ggzy.core.permissions import PUBLIC, requires

from . import selectors
from .services import tender_documents


@requires(PUBLIC)
def document_download_view(request, lot_id: int, document_id: int):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404("标段不存在")
    try:
        stream = tender_documents.document_download(actor=request.user, lot=lot, document_id=document_id)
    except NotFound:
        raise Http404("文件不存在或尚未发布") from None
    except DomainError as exc:
        messages.error(request, "；".join(m for msgs in exc.errors.values() for m in msgs) or exc.message)
        return redirect(f"{lot_url(lot.pk)}#documents")
    return streaming_response(stream)


def lot_url(lot_id: int) -> str:
    from django.urls import reverse

    return reverse("tendering:lot", args=[lot_id])


def streaming_response(stream: tender_documents.DocumentStream) -> StreamingHttpResponse:
    document = stream.document
    response = StreamingHttpResponse(stream.chunks, content_type="application/octet-stream")
    response["Content-Length"] = str(document.size)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(document.name)}"
    response["X-Content-SHA256"] = document.sha256
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("lots/<int:lot_id>/documents/<int:document_id>/download/", document_download_view,
         name="document_download"),
]
