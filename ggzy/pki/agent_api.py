"""What the platform says about a certificate before a page uses it through the certificate agent (证书助手):
expired, revoked (the trust store's answer) and whether it is the signed-in user's. Mount with
``api.add_router("/v1/pki/certificate-status", agent_router, tags=["CA互认"])``. Certificates are public; the answer
says nothing a certificate login would not say."""

from typing import Literal

from ninja import Field, Router, Schema

from ggzy.core.api_errors import TEXT_MAX, answers
from ggzy.core.permissions import PUBLIC, requires

from .selectors import certificate_status

router = Router()


class CertificateStatusIn(Schema):
    certificate: str = Field(min_length=1, max_length=TEXT_MAX, description="证书（PEM 或 Base64 DER）")
    purpose: Literal["login", "sign", "encrypt"] = Field(
        description="用途：login 登录，sign 签名，encrypt 数字信封"
    )


class CertificateStatusOut(Schema):
    ok: bool
    code: str = Field(description="ok、expired、revoked、not_yet_valid、untrusted、wrong_usage、format 等")
    reason: str
    matches: bool | None = Field(description="是否为当前登录用户的证书（未登录时为 null）")


@router.post(
    "",
    response=answers(CertificateStatusOut, 400, 403),
    summary="证书状态（是否过期、吊销、与登记的证书一致）",
)
@requires(PUBLIC)
def api_certificate_status(request, payload: CertificateStatusIn):
    return certificate_status(certificate_pem=payload.certificate, purpose=payload.purpose, user=request.user)
