"""API of the bidder-holds-the-key path (used by ``ggzy-bid``); mounted under the tendering router."""


import base64
import binascii
import json

from django.http import Http404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError
from ggzy.core.permissions import requires, roles

from . import selectors
from .models import Bid
from .services import client_sealed, custody
from .services.bidding import IncomingFile, bid_of

router = Router()
BIDDER = roles(Role.BIDDER)
STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)


class ContentKeyIn(Schema):
    content_key: str  # base64


class SharesIn(Schema):
    shares: list[str]


class ReasonIn(Schema):
    reason: str


def _lot(request, lot_id: int):
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


@router.get("/lots/{lot_id}/sealing-key", summary="获取标段开标密钥（投标客户端密封用）")
@requires(BIDDER)
def sealing_key(request, lot_id: int):
    key = custody.lot_opening_key_ensure(actor=request.user, lot=_lot(request, lot_id))
    return {"algorithm": "sm2", "public_key": base64.b64encode(bytes(key.public_key)).decode(),
            "key_id": key.key_id, "threshold": key.threshold, "lot_id": lot_id}


@router.post("/lots/{lot_id}/sealed-bid", response={201: dict}, summary="递交投标人自持密钥的密封投标文件")
@requires(BIDDER)
def sealed_bid(request, lot_id: int, manifest: Form[str], files: File[list[UploadedFile]] = None):
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
        algorithm=str(data.get("algorithm") or ""), custodian_key_id=str(data.get("custodian_key_id") or ""))
    return Status(201, _state(bid))


@router.get("/lots/{lot_id}/sealed-bid/wrapped-key", summary="取回封装给本投标人的内容密钥（解密用）")
@requires(BIDDER)
def wrapped_key(request, lot_id: int):
    bid = bid_of(actor=request.user, lot=_lot(request, lot_id))
    if bid is None or bid.sealed_by != "bidder":
        raise Http404
    return {"algorithm": bid.content_algorithm, "wrapped_key": base64.b64encode(bytes(bid.bidder_wrapped_key)).decode(),
            "state": bid.state}


@router.post("/lots/{lot_id}/sealed-bid/decrypt", summary="投标人在解密时限内解密自己的投标文件")
@requires(BIDDER)
def bidder_decrypt(request, lot_id: int, payload: ContentKeyIn):
    bid = client_sealed.bid_decrypt_by_bidder(actor=request.user, lot=_lot(request, lot_id),
                                              content_key=_b64(payload.content_key, "content_key"))
    return _state(bid)


@router.post("/lots/{lot_id}/decryption-window/close", summary="解密时限届满（交易中心）")
@requires(STAFF)
def window_close(request, lot_id: int):
    return [_state(b) for b in client_sealed.opening_window_close(actor=request.user, lot=_lot(request, lot_id))]


@router.post("/bids/{bid_id}/decryption-failure", summary="认定解密失败系非投标人原因（交易中心）")
@requires(STAFF)
def decryption_failure(request, bid_id: int, payload: ReasonIn):
    bid = Bid.objects.select_related("lot__project").filter(pk=bid_id).first()
    if bid is None or selectors.lot_get_for_user(user=request.user, lot_id=bid.lot_id) is None:
        raise Http404
    return _state(client_sealed.bid_decryption_failure_record(actor=request.user, bid=bid, reason=payload.reason))


@router.post("/lots/{lot_id}/custodian-unlock", summary="保管人分片解密（仅用于非投标人原因的解密失败）")
@requires(STAFF)
def custodian_unlock(request, lot_id: int, payload: SharesIn):
    bids = client_sealed.opening_custodian_unlock(actor=request.user, lot=_lot(request, lot_id), shares=payload.shares)
    return [_state(b) for b in bids]
