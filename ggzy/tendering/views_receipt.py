"""The bidder's receipt PDF (投标回执) as a page download; the API answers with the same bytes."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.urls import path

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError
from ggzy.core.permissions import PUBLIC, requires, roles

from . import selectors
from .services import receipt

BIDDER = roles(Role.BIDDER)


def receipt_pdf_response(name: str, pdf: bytes) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "private, no-store"
    return response


@requires(BIDDER)
def bid_receipt_pdf_view(request, lot_id: int):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404("标段不存在")
    try:
        name, pdf = receipt.bid_receipt_pdf(actor=request.user, lot=lot)
    except DomainError:
        raise Http404("没有本单位的有效投标文件") from None
    return receipt_pdf_response(name, pdf)


@requires(PUBLIC)
def receipt_trust_root_view(request):
    """The platform's root certificate, for ``ggzy-bid receipt verify --trust`` (public, like any CA's root)."""
    try:
        pem = receipt.receipt_trust_root()
    except DomainError as exc:
        raise Http404(exc.message) from None
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = "attachment; filename=ggzy-platform-ca.pem"
    return response


urlpatterns = [
    path("lots/<int:lot_id>/my-bid/receipt.pdf", bid_receipt_pdf_view, name="bid_receipt_pdf"),
    path("receipt-trust-root.pem", receipt_trust_root_view, name="receipt_trust_root"),
]
