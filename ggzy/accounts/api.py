"""Account endpoints: who am I, and session sign-in for API clients (password, then TOTP for staff)."""

from django.contrib.auth import login, logout
from ninja import Router, Schema

from ggzy.core.errors import DomainError
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires

from . import services

router = Router()


class LoginIn(Schema):
    username: str
    password: str
    totp: str | None = None


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


@router.post("/login", response=MeOut, summary="登录（会话）")
@requires(PUBLIC)
def api_login(request, payload: LoginIn):
    address = request.META.get("REMOTE_ADDR")
    user = services.login_check_password(request=request, username=payload.username, password=payload.password,
                                         address=address)
    if user.requires_second_factor:
        if not payload.totp:
            raise DomainError("该角色需要动态口令", field="totp")
        services.login_check_totp(user=user, code=payload.totp, address=address)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return _me(user)


@router.post("/logout", summary="退出登录")
@requires(AUTHENTICATED)
def api_logout(request):
    logout(request)
    return {"detail": "已退出"}


@router.get("/me", response=MeOut, summary="当前用户")
@requires(AUTHENTICATED)
def api_me(request):
    return _me(request.user)
