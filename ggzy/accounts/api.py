"""Account endpoints: who am I, and session sign-in for API clients (password with the TOTP code for staff, or
certificate then TOTP). Signing in needs the CSRF token (cookie ``csrftoken``, header ``X-CSRFToken``), as a page
form does: get the cookie with ``GET /accounts/login/``."""

import datetime as dt

from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema
from ninja.utils import check_csrf

from ggzy.core.api_errors import answers
from ggzy.core.errors import DomainError
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires
from ggzy.pki import login as certificate_login

from . import services
from .client_address import client_address

router = Router()


class LoginIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)
    totp: str | None = Field(None, max_length=16, description="动态口令（交易中心工作人员、监督部门与管理员必填）")


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    role_label: str
    center: str | None
    is_provincial: bool


def _me(user) -> MeOut:
    return MeOut(username=user.username, display_name=user.display_name, role=user.role,
                 role_label=user.get_role_display(), center=user.center.name if user.center_id else None,
                 is_provincial=user.is_provincial)


def _csrf_require(request) -> None:
    """Signing in must not be possible from another site's form (login CSRF): django-ninja exempts its views, and
    the check in ``core.permissions.requires`` covers signed-in callers only."""
    if check_csrf(request) is not None:
        raise PermissionDenied("CSRF 校验失败，请刷新页面后重试")


@router.post("/login", response=answers(MeOut, 400, 403, 429), summary="登录（会话）")
@requires(PUBLIC)
def api_login(request, payload: LoginIn):
    """Any refusal but a wait (429) is the same 400, whether the name, the password or the TOTP code was wrong."""
    _csrf_require(request)
    user = services.login_authenticate(request=request, username=payload.username, password=payload.password,
                                       totp=payload.totp or "", address=client_address(request))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return _me(user)


class CertChallengeOut(Schema):
    nonce: str
    challenge: str
    expires_at: dt.datetime
    algorithms: list[str]


class CertLoginIn(Schema):
    certificate: str = Field(max_length=64 * 1024, description="PEM 证书")
    signature: str = Field(max_length=8 * 1024)
    nonce: str = Field(max_length=128)
    username: str | None = Field(None, max_length=150)
    totp: str | None = Field(None, max_length=16)


@router.get("/cert-challenge", response=answers(CertChallengeOut), summary="证书登录：获取挑战码")
@requires(PUBLIC)
def api_cert_challenge(request):
    """Sign ``challenge`` (UTF-8) with the certificate's key: ECDSA (DER or r‖s), RSA PKCS#1 v1.5 SHA-256, or SM2
    with SM3 and the default user ID 1234567812345678; post it within five minutes, once, in the same session."""
    origin = f"{request.scheme}://{request.get_host()}"
    challenge = certificate_login.certificate_challenge_issue(session=request.session, origin=origin)
    return CertChallengeOut(nonce=challenge.nonce, challenge=challenge.text, expires_at=challenge.expires_at,
                            algorithms=["ecdsa-sha256", "rsa-pkcs1v15-sha256", "sm2-sm3"])


@router.post("/cert-login", response=answers(MeOut, 400, 403, 429), summary="证书登录（会话）")
@requires(PUBLIC)
def api_cert_login(request, payload: CertLoginIn):
    _csrf_require(request)
    address = client_address(request)
    user = services.certificate_sign_in(
        session=request.session, certificate_pem=payload.certificate, signature=payload.signature,
        nonce=payload.nonce, username=payload.username or "", address=address)
    if user.requires_second_factor:
        if not payload.totp:
            raise DomainError("该角色需要动态口令", field="totp")
        services.login_check_totp(user=user, code=payload.totp, address=address)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return _me(user)


@router.post("/logout", response=answers(dict, 401, 403), summary="退出登录")
@requires(AUTHENTICATED)
def api_logout(request):
    logout(request)
    return {"detail": "已退出"}


@router.get("/me", response=answers(MeOut, 401), summary="当前用户")
@requires(AUTHENTICATED)
def api_me(request):
    return _me(request.user)
