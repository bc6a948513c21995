"""API of the bidder-holds-the-key path (used by ``ggzy-bid``); mounted under the tendering router."""


import base64
import binascii
import json

from django.db.models import Count
from django.http import Http404, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ggzy.accounts.roles import Role
from ggzy.core.api_errors import ACTION, LOOKUP, TEXT_MAX, ObjectId, answers, column_limit
from ggzy.core.errors import DomainError
from ggzy.core.permissions import requires, roles
from ggzy.registry.models import Center

from . import policies, selectors
from .models import Bid, Custodian
from .services import client_sealed, custody
from .services.bidding import IncomingFile, bid_of

router = Router()
BIDDER = roles(Role.BIDDER)
STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)


class ContentKeyIn(Schema):
    content_key: str = Field(min_length=1, max_length=1000, description="内容密钥（Base64）")


class SharesIn(Schema):
    shares: list[str] = Field(max_length=100)


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=column_limit(Bid, "failure_reason"))


class CustodianIn(Schema):
    name: str = Field(min_length=1, max_length=column_limit(Custodian, "name"))
    organisation: str = Field(max_length=column_limit(Custodian, "organisation"))
    public_key_pem: str = Field(min_length=1, max_length=TEXT_MAX,
                                description="SM2 加密证书或公钥（SubjectPublicKeyInfo），PEM")
    center: str | None = Field(None, max_length=6, description="交易中心代码；仅省级工作人员与管理员可指定")


class CustodianOut(Schema):
    id: int
    center: str
    name: str
    organisation: str
    fingerprint: str
    active: bool
    registered_at: str
    share_count: int


def _lot(request, lot_id: ObjectId):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404
    return lot


def _b64(value, field: str) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise DomainError("Base64 编码不正确", field=field) from None


def _state(bid: Bid) -> dict:
    return {"lot_id": bid.lot_id, "state": bid.state, "state_display": bid.get_state_display(),
            "arrived_at": bid.arrived_at, "opened_by": bid.opened_by, "failure_cause": bid.failure_cause,
            "failure_reason": bid.failure_reason}


@router.get("/lots/{lot_id}/sealing-key", response=answers(dict, *ACTION), summary="获取标段开标密钥（投标客户端密封用）")
@requires(BIDDER)
def sealing_key(request, lot_id: ObjectId):
    key = custody.lot_opening_key_ensure(actor=request.user, lot=_lot(request, lot_id))
    return {"algorithm": "sm2", "public_key": base64.b64encode(bytes(key.public_key)).decode(),
            "key_id": key.key_id, "threshold": key.threshold, "lot_id": lot_id, "lot_code": key.lot.code}


@router.post("/lots/{lot_id}/sealed-bid", response=answers(dict, *ACTION, status=201),
             summary="递交投标人自持密钥的密封投标文件")
@requires(BIDDER)
def sealed_bid(request, lot_id: ObjectId, manifest: str = Form(..., pattern=r"^\s*\{", max_length=1_000_000),
               files: File[list[UploadedFile]] = None):  # type: ignore[assignment]  # ninja: optional upload list
    try:
        data = json.loads(manifest)
        if not isinstance(data, dict):
            raise ValueError
    except ValueError:
        raise DomainError("JSON 格式不正确", field="manifest") from None
    names = data.get("names_sealed") or []
    bid = client_sealed.bid_submit_sealed(
        actor=request.user, lot=_lot(request, lot_id),
        files=[IncomingFile(name=f.name or "", chunks=f.chunks()) for f in (files or [])],
        price_sheet_sealed=_b64(data.get("price_sheet_sealed"), "price_sheet_sealed"),
        fingerprint_sealed=_b64(data.get("fingerprint_sealed"), "fingerprint_sealed"),
        names_sealed=[_b64(n, f"names_sealed.{i}") for i, n in enumerate(names if isinstance(names, list) else [])],
        plaintext_hashes=[str(h) for h in data.get("plaintext_hashes") or []],
        wrap_to_bidder=_b64(data.get("wrap_to_bidder"), "wrap_to_bidder"),
        bidder_certificate_pem=str(data.get("bidder_certificate_pem") or ""),
        wrap_to_custodians=_b64(data.get("wrap_to_custodians"), "wrap_to_custodians"),
        algorithm=str(data.get("algorithm") or ""), custodian_key_id=str(data.get("custodian_key_id") or ""),
        signature_sealed=_b64(data.get("signature_sealed"), "signature_sealed"))
    return Status(201, _state(bid))


@router.get("/lots/{lot_id}/sealed-bid/wrapped-key", response=answers(dict, *ACTION),
            summary="取回封装给本投标人的内容密钥（解密用）")
@requires(BIDDER)
def wrapped_key(request, lot_id: ObjectId):
    bid = bid_of(actor=request.user, lot=_lot(request, lot_id))
    if bid is None or bid.sealed_by != "bidder":
        raise Http404
    return {"algorithm": bid.content_algorithm, "wrapped_key": base64.b64encode(bytes(bid.bidder_wrapped_key or b"")).decode(),
            "state": bid.state}


@router.post("/lots/{lot_id}/sealed-bid/decrypt", response=answers(dict, *ACTION),
             summary="投标人在解密时限内解密自己的投标文件")
@requires(BIDDER)
def bidder_decrypt(request, lot_id: ObjectId, payload: ContentKeyIn):
    bid = client_sealed.bid_decrypt_by_bidder(actor=request.user, lot=_lot(request, lot_id),
                                              content_key=_b64(payload.content_key, "content_key"))
    return _state(bid)


@router.post("/lots/{lot_id}/decryption-window/close", response=answers(list[dict], *ACTION),
             summary="解密时限届满（交易中心）")
@requires(STAFF)
def window_close(request, lot_id: ObjectId):
    return [_state(b) for b in client_sealed.opening_window_close(actor=request.user, lot=_lot(request, lot_id))]


@router.post("/bids/{bid_id}/decryption-failure", response=answers(dict, *ACTION),
             summary="认定解密失败系非投标人原因（交易中心）")
@requires(STAFF)
def decryption_failure(request, bid_id: ObjectId, payload: ReasonIn):
    bid = Bid.objects.select_related("lot__project").filter(pk=bid_id).first()
    if bid is None or selectors.lot_get_for_user(user=request.user, lot_id=bid.lot_id) is None:
        raise Http404
    return _state(client_sealed.bid_decryption_failure_record(actor=request.user, bid=bid, reason=payload.reason))


@router.post("/lots/{lot_id}/custodian-unlock", response=answers(list[dict], *ACTION),
             summary="保管人分片解密（仅用于非投标人原因的解密失败）")
@requires(STAFF)
def custodian_unlock(request, lot_id: ObjectId, payload: SharesIn):
    bids = client_sealed.opening_custodian_unlock(actor=request.user, lot=_lot(request, lot_id), shares=payload.shares)
    return [_state(b) for b in bids]


# --- opening-key custodians (交易中心) ----------------------------------------------------------------------------


def _center(request, code: str | None) -> Center:
    """The staff member's own center; provincial staff and administrators may name another by its code."""
    user = request.user
    if code and user.is_provincial:
        center = Center.objects.filter(code=code).first()
        if center is None:
            raise Http404
        return center
    if code and user.center is not None and code != user.center.code:
        raise Http404
    if user.center is None:
        raise DomainError("请指定交易中心代码", field="center")
    return user.center


def _custodian_out(custodian: Custodian, share_count: int | None = None) -> dict:
    return {"id": custodian.pk, "center": custodian.center.code, "name": custodian.name,
            "organisation": custodian.organisation,
            "fingerprint": custody.custodian_key_fingerprint(custodian.public_key_pem), "active": custodian.active,
            "registered_at": custodian.registered_at.isoformat(),
            "share_count": custodian.shares.count() if share_count is None else share_count}


def _custodian(request, custodian_id: ObjectId) -> Custodian:
    custodian = Custodian.objects.select_related("center").filter(pk=custodian_id).first()
    if custodian is None or not policies.is_center_staff_for(request.user, custodian.center):
        raise Http404
    return custodian


@router.get("/custodians", response=answers(list[CustodianOut], *LOOKUP), summary="本中心的开标密钥保管人")
@requires(STAFF)
def custodian_list(request, center: str | None = Query(None, max_length=6)):
    rows = (Custodian.objects.filter(center=_center(request, center)).select_related("center")
            .annotate(share_count=Count("shares")).order_by("id"))
    return [_custodian_out(c, c.share_count) for c in rows]


@router.post("/custodians", response=answers(CustodianOut, *ACTION, status=201),
             summary="登记开标密钥保管人（SM2证书或公钥）")
@requires(STAFF)
def custodian_register(request, payload: CustodianIn):
    custodian = custody.custodian_register(actor=request.user, center=_center(request, payload.center),
                                           name=payload.name, organisation=payload.organisation,
                                           public_key_pem=payload.public_key_pem)
    return Status(201, _custodian_out(custodian, 0))


@router.post("/custodians/{custodian_id}/deactivate", response=answers(CustodianOut, *ACTION),
             summary="保管人离任（已持有的分片仍有效，只影响此后发布的标段）")
@requires(STAFF)
def custodian_deactivate(request, custodian_id: ObjectId):
    return _custodian_out(custody.custodian_deactivate(actor=request.user, custodian=_custodian(request, custodian_id)))


@router.post("/custodians/{custodian_id}/reactivate", response=answers(CustodianOut, *ACTION),
             summary="保管人恢复在任")
@requires(STAFF)
def custodian_reactivate(request, custodian_id: ObjectId):
    return _custodian_out(custody.custodian_reactivate(actor=request.user, custodian=_custodian(request, custodian_id)))


@router.get("/lots/{lot_id}/custodian-shares/{custodian_id}", response=answers(dict, *ACTION),
            summary="下载保管人的加密密钥分片（JSON，保管人离线解密）")
@requires(STAFF)
def custodian_share(request, lot_id: ObjectId, custodian_id: ObjectId):
    lot = _lot(request, lot_id)
    if not policies.can_publish_lot(request.user, lot):
        raise Http404
    data = custody.custodian_share_export(actor=request.user, lot=lot, custodian_id=custodian_id)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="lot-{lot_id}-share-{data["index"]}.json"'
    return response
