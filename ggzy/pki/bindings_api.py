"""Person-certificate bindings over the API (for clients that hold SM2 keys, e.g. ggzy-bid): get a challenge from
``GET /api/v1/accounts/cert-challenge`` in the signed-in session, sign it with the certificate's key, post it here."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from ggzy.core.api_errors import TEXT_MAX, ObjectId, answers
from ggzy.core.permissions import AUTHENTICATED, requires

from . import bindings
from .models import PersonCertificate

router = Router()


class BindIn(Schema):
    certificate: str = Field(min_length=1, max_length=TEXT_MAX, description="个人证书（PEM 或 Base64 DER）")
    signature: str = Field(min_length=1, max_length=TEXT_MAX, description="对挑战码的签名（Base64）")
    nonce: str = Field(min_length=1, max_length=200)


class BindingOut(Schema):
    id: int
    common_name: str
    issuer_name: str
    fingerprint: str
    not_after: dt.datetime
    proven: bool
    bound_at: dt.datetime
    unbound_at: dt.datetime | None


@router.get("", response=answers(list[BindingOut], 401), summary="我的个人证书绑定")
@requires(AUTHENTICATED)
def api_my_certificates(request):
    return bindings.person_certificate_list_for(user=request.user)


@router.post("", response=answers(BindingOut, 400, 401, 403, 409, status=201), summary="绑定个人证书（对挑战码签名证明持有私钥）")
@requires(AUTHENTICATED)
def api_bind(request, payload: BindIn):
    binding = bindings.person_certificate_bind(actor=request.user, session=request.session,
                                               certificate_pem=payload.certificate, signature=payload.signature,
                                               nonce=payload.nonce)
    return Status(201, binding)


@router.post("/{binding_id}/unbind", response=answers(BindingOut, 400, 401, 403, 404, 409), summary="解除个人证书绑定")
@requires(AUTHENTICATED)
def api_unbind(request, binding_id: ObjectId):
    binding = get_object_or_404(PersonCertificate, pk=binding_id, user=request.user)
    return bindings.person_certificate_unbind(actor=request.user, binding=binding)
