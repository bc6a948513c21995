"""Pages of the opening-key custodians (开标密钥保管人) for center staff: the center's custodians (register,
deactivate, reactivate) and one page per lot with its opening key, each custodian's encrypted share to download
and, at the opening, the custodians' unlock.

Sealed means sealed: before the opening the lot page shows the key and the shares only, never a bid or a bidder.
Every write goes through ``services.custody`` / ``services.client_sealed``."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError
from ggzy.core.forms import apply_domain_error
from ggzy.core.permissions import requires, roles
from ggzy.registry.models import Center

from . import policies, selectors
from .choices import BidState, LotState
from .models import Bid, Custodian, CustodianShare, LotOpeningKey
from .services import client_sealed, custody

STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)
PEM_MAX_BYTES = 64 * 1024
OPENED_STATES = [s for s in LotState.values if s not in (LotState.DRAFT, LotState.PUBLISHED)]


class CustodianForm(forms.Form):
    name = forms.CharField(label=_("保管人姓名"), max_length=100, required=False)
    organisation = forms.CharField(label=_("所在单位"), max_length=100, required=False,
                                   help_text=_("如：交易中心、发展改革委、财政厅、纪检监察组、公证处"))
    public_key_pem = forms.CharField(label=_("SM2加密证书或公钥（PEM）"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
                                     help_text=_("粘贴以 -----BEGIN CERTIFICATE----- 或 -----BEGIN PUBLIC KEY----- 开头的文本"))
    public_key_file = forms.FileField(label=_("或上传证书/公钥文件"), required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        upload = data.get("public_key_file")
        text = (data.get("public_key_pem") or "").strip()
        if upload is not None:
            if upload.size > PEM_MAX_BYTES:
                self.add_error("public_key_file", "文件过大，应为PEM格式的证书或公钥")
                return data
            try:
                text = upload.read().decode("ascii").strip()
            except UnicodeDecodeError:
                self.add_error("public_key_file", "文件应为PEM格式（文本）的证书或公钥")
                return data
        if not text:
            self.add_error("public_key_pem", "请粘贴或上传保管人的SM2加密证书或公钥")
        data["pem"] = text
        return data


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _center_of(request, value: str | None = None) -> Center:
    """The user's own center; provincial staff and administrators may pick one (``?center=<code>``)."""
    user = request.user
    code = value if value is not None else request.GET.get("center")
    if user.is_provincial and code:
        center = Center.objects.filter(code=code).first()
        if center is None:
            raise Http404("交易中心不存在")
        return center
    if user.center_id is not None:
        return user.center
    center = Center.objects.order_by("code").first()
    if center is None:
        raise Http404("尚未登记交易中心")
    return center


def _custodian_rows(center: Center) -> list[Custodian]:
    rows: list[Custodian] = list(
        Custodian.objects.filter(center=center).annotate(share_count=Count("shares")).order_by("id"))
    for row in rows:
        _attach_fingerprint(row, row)
    return rows


def _fingerprint(custodian: Custodian) -> str:
    try:
        return custody.custodian_key_fingerprint(custodian.public_key_pem)
    except DomainError:
        return "—"


def _attach_fingerprint(obj: Custodian | CustodianShare, custodian: Custodian) -> None:
    """Give ``obj`` the custodian key's fingerprint as ``obj.fingerprint`` for the templates
    (``{{ c.fingerprint }}``, ``{{ s.fingerprint }}``): a display-only attribute, not a model field."""
    setattr(obj, "fingerprint", _fingerprint(custodian))  # noqa: B010 — not a declared attribute of the model


def _list_page(request, center: Center, form: CustodianForm | None = None, status: int = 200):
    rows = _custodian_rows(center)
    return render(request, "tendering/pages/custodians.html", {
        "center": center, "custodians": rows, "form": form or CustodianForm(),
        "active_count": sum(1 for r in rows if r.active), "threshold": custody.THRESHOLD,
        "centers": Center.objects.order_by("code") if request.user.is_provincial else None,
    }, status=status)


@requires(STAFF)
def custodian_list_view(request):
    center = _center_of(request, request.POST.get("center") if request.method == "POST" else None)
    if request.method != "POST":
        return _list_page(request, center)
    form = CustodianForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            custodian = custody.custodian_register(
                actor=request.user, center=center, name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"], public_key_pem=form.cleaned_data["pem"])
        except DomainError as exc:
            if "public_key_pem" in exc.errors and request.FILES.get("public_key_file"):
                exc.errors["public_key_file"] = exc.errors.pop("public_key_pem")
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记开标密钥保管人：{custodian.name}（{custodian.organisation}）")
            return redirect(f"{reverse('tendering:custodians')}?center={center.code}")
    return _list_page(request, center, form, status=400)


@requires(STAFF)
@require_POST
def custodian_active_view(request, custodian_id: int):
    custodian = Custodian.objects.select_related("center").filter(pk=custodian_id).first()
    if custodian is None or not policies.is_center_staff_for(request.user, custodian.center):
        raise Http404("保管人不存在")
    error = ""
    try:
        custody.custodian_set_active(actor=request.user, custodian=custodian,
                                     active=request.POST.get("active") == "1")
    except DomainError as exc:
        error = exc.message
    if _is_htmx(request):
        row = Custodian.objects.annotate(share_count=Count("shares")).get(pk=custodian.pk)
        _attach_fingerprint(row, row)
        return render(request, "tendering/partials/custodian_row.html", {"c": row, "row_error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{custodian.name}{'已恢复在任' if custodian.active else '已离任'}")
    return redirect(f"{reverse('tendering:custodians')}?center={custodian.center.code}")


# --- one lot ----------------------------------------------------------------------------------------------------


def _staff_lot(request, lot_id: int):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None or not policies.can_publish_lot(request.user, lot):
        raise Http404("标段不存在")
    return lot


def _lot_page(request, lot, *, shares_error: str = "", presented: list[str] | None = None,
              failure_errors: dict | None = None, unlocked: list[Bid] | None = None, status: int = 200):
    key = LotOpeningKey.objects.filter(lot=lot).first()
    shares = list(key.shares.select_related("custodian").order_by("index")) if key else []
    for share in shares:
        _attach_fingerprint(share, share.custodian)
    # A lot that failed for too few bids was never opened: its bids stay sealed (no identity was unsealed).
    is_opened = lot.state in OPENED_STATES and not (
        lot.state == LotState.FAILED and not lot.bids.filter(bidder__isnull=False).exists())
    context = {"lot": lot, "key": key, "shares": shares, "is_opened": is_opened,
               "active_count": Custodian.objects.filter(center_id=lot.project.center_id, active=True).count()}
    if context["is_opened"]:  # sealed means sealed: no bid, and no bidder, before the opening
        bids = list(lot.bids.filter(sealed_by="bidder").select_related("bidder").order_by("id"))
        context.update({
            "bids": bids, "failure_errors": failure_errors or {}, "unlocked": unlocked,
            "waiting": [b for b in bids if b.state == BidState.SUBMITTED and b.failure_cause == "platform"],
            "can_unlock": lot.state == LotState.OPENING and key is not None,
            "share_slots": list(range(1, (key.threshold if key else 0) + 1)),
            "presented": presented or [], "shares_error": shares_error,
        })
    return render(request, "tendering/pages/custody_lot.html", context, status=status)


@requires(STAFF)
def lot_custody_view(request, lot_id: int):
    return _lot_page(request, _staff_lot(request, lot_id))


@requires(STAFF)
def lot_custody_share_view(request, lot_id: int, custodian_id: int):
    """The custodian's encrypted share as a small JSON file, to decrypt offline with ``ggzy-bid share``."""
    lot = _staff_lot(request, lot_id)
    try:
        data = custody.custodian_share_export(actor=request.user, lot=lot, custodian_id=custodian_id)
    except DomainError as exc:
        raise Http404(exc.message) from None
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="lot-{lot.pk}-share-{data["index"]}.json"'
    return response


@requires(STAFF)
@require_POST
def lot_custody_failure_view(request, lot_id: int):
    """Record that a bid's decryption failed for a cause not the bidder's (it then waits for the custodians)."""
    lot = _staff_lot(request, lot_id)
    if lot.state not in OPENED_STATES:
        raise Http404("标段尚未开标")
    bid = lot.bids.filter(pk=request.POST.get("bid") or 0, sealed_by="bidder").first()
    if bid is None:
        raise Http404("投标文件不存在")
    try:
        client_sealed.bid_decryption_failure_record(actor=request.user, bid=bid, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _lot_page(request, lot, failure_errors={bid.pk: "；".join(sum(exc.errors.values(), []))}, status=400)
    messages.success(request, "已认定为非投标人原因，该投标文件等待保管人解密")
    return redirect("tendering:lot_custody", lot_id=lot.pk)


@requires(STAFF)
@require_POST
def lot_custody_unlock_view(request, lot_id: int):
    lot = _staff_lot(request, lot_id)
    presented = [s.strip() for s in request.POST.getlist("share")]
    shares = [s for s in presented if s]
    if not shares:
        return _lot_page(request, lot, shares_error="请粘贴保管人解密后的密钥分片", presented=presented, status=400)
    try:
        bids = client_sealed.opening_custodian_unlock(actor=request.user, lot=lot, shares=shares)
    except DomainError as exc:
        return _lot_page(request, lot, shares_error="；".join(sum(exc.errors.values(), [])), presented=presented,
                         status=400)
    messages.success(request, f"保管人解密完成，处理投标文件{len(bids)}份")
    return _lot_page(request, lot, unlocked=bids)


urlpatterns = [
    path("custodians/", custodian_list_view, name="custodians"),
    path("custodians/<int:custodian_id>/active/", custodian_active_view, name="custodian_active"),
    path("lots/<int:lot_id>/custody/", lot_custody_view, name="lot_custody"),
    path("lots/<int:lot_id>/custody/shares/<int:custodian_id>/", lot_custody_share_view, name="lot_custody_share"),
    path("lots/<int:lot_id>/custody/failure/", lot_custody_failure_view, name="lot_custody_failure"),
    path("lots/<int:lot_id>/custody/unlock/", lot_custody_unlock_view, name="lot_custody_unlock"),
]
