"""API of document signatures (电子签章): the canonical bytes to sign, the upload of a detached CMS signature, and
the signatures of a lot with today's verdict. Used by ``ggzy-bid sign``; mounted under the tendering router."""

import base64
import binascii

from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema, Status

from ggzy.core.api_errors import ACTION, ObjectId, answers
from ggzy.core.errors import DomainError
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires
from ggzy.pki.models_signatures import SignaturePurpose

from . import selectors
from .services import signatures

router = Router()
OCTET_STREAM = {"responses": {200: {"description": "待签署文件的规范字节",
                                   "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}}


class SignatureIn(Schema):
    signature: str = Field(min_length=1, max_length=1_000_000,
                           description="CMS/PKCS#7 分离式签名（.p7s 文件的 DER 字节）的 Base64")


def _lot(request, lot_id: ObjectId):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404
    return lot


def signature_out(view) -> dict:
    record = view.record
    return {"id": record.pk, "purpose": record.purpose, "signer": record.signer_label,
            "credit_code": record.signer_credit_code, "certificate_subject": record.certificate_subject,
            "certificate_fingerprint": record.certificate_fingerprint, "algorithm": record.algorithm,
            "signed_at": record.signed_at, "recorded_at": record.recorded_at,
            "verifies_now": view.verifies_now, "reason": view.check.reason}


@router.get("/lots/{lot_id}/documents/{purpose}/content", response=answers(None, 400, 403, 404, 409),
            openapi_extra=OCTET_STREAM,
            summary="取得待签署文件的规范字节（签名原文）")
@requires(PUBLIC)
def document_content(request, lot_id: ObjectId, purpose: SignaturePurpose):
    document = selectors.lot_document_content_visible(user=request.user, lot=_lot(request, lot_id), purpose=purpose)
    response = HttpResponse(document.content, content_type="application/octet-stream")
    response["X-Content-SHA256"] = document.sha256
    response["Content-Disposition"] = f'attachment; filename="lot-{lot_id}-{purpose}.bin"'
    return response


@router.post("/lots/{lot_id}/documents/{purpose}/signatures", response=answers(dict, *ACTION, status=201),
             summary="上传对该文件的电子签名（CMS/PKCS#7 分离式签名，Base64）")
@requires(AUTHENTICATED)
def document_sign(request, lot_id: ObjectId, purpose: SignaturePurpose, payload: SignatureIn):
    try:
        der = base64.b64decode(payload.signature or "", validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("Base64 编码不正确", field="signature") from None
    record = signatures.document_sign(actor=request.user, lot=_lot(request, lot_id), purpose=purpose,
                                      signature_der=der)
    return Status(201, {"id": record.pk, "purpose": record.purpose, "signer": record.signer_label,
                        "certificate_fingerprint": record.certificate_fingerprint,
                        "content_sha256": record.content_sha256})


@router.get("/lots/{lot_id}/signatures", response=answers(list[dict], 400, 404), summary="标段各文件的电子签名及其当前验证结果")
@requires(PUBLIC)
def lot_signatures(request, lot_id: ObjectId):
    sections = selectors.lot_signatures_visible(user=request.user, lot=_lot(request, lot_id))
    return [{"purpose": s["purpose"], "label": s["label"], "document_sha256": s["sha256"],
             "signatures": [signature_out(v) for v in s["signatures"]]} for s in sections]
