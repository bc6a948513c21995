"""Account writes: creating users, second factors, and throttled sign-in."""

from __future__ import annotations

import datetime as dt

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError

from .models import LoginAttempt, User
from .roles import Role

TOTP_ISSUER = "山东省公共资源交易平台"


def user_create(*, actor: User | None, username: str, password: str, role: str, center=None,
                display_name: str = "", email: str = "") -> User:
    """Create an account. Staff and supervisors must belong to a center."""
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "用户名不能为空"
    elif User.objects.filter(username=username).exists():
        errors["username"] = "该用户名已被使用"
    if role not in Role.values:
        errors["role"] = "角色无效"
    elif role in (Role.CENTER_STAFF, Role.SUPERVISOR) and center is None:
        errors["center"] = "交易中心工作人员和监督部门用户必须指定所属交易中心"
    if not password or len(password) < 8:
        errors["password"] = "密码至少8位"
    if errors:
        raise DomainError(errors=errors)
    with transaction.atomic():
        user = User(username=username, role=role, center=center, display_name=display_name, email=email,
                    is_staff=role in (Role.CENTER_STAFF, Role.ADMIN), is_superuser=role == Role.ADMIN)
        user.set_password(password)
        if user.requires_second_factor:
            user.totp_secret = pyotp.random_base32()
        user.save()
        audit_record(actor=actor, action="user.create", obj=user,
                     after={"username": username, "role": role, "center_id": getattr(center, "pk", None)})
    return user


def totp_provisioning_uri(user: User) -> str:
    """otpauth:// URI for an authenticator app."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def _window_start() -> dt.datetime:
    return clock.now() - dt.timedelta(seconds=settings.GGZY_LOGIN_WINDOW_SECONDS)


def login_is_throttled(*, username: str, address: str | None) -> bool:
    """Too many recent failures for this user name, or from this address."""
    recent = LoginAttempt.objects.filter(at__gte=_window_start(), succeeded=False)
    limit = settings.GGZY_LOGIN_MAX_FAILURES
    if recent.filter(username=username).count() >= limit:
        return True
    return bool(address) and recent.filter(address=address).count() >= limit * 4


def _attempt_record(*, username: str, address: str | None, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username[:150], address=address or None, at=clock.now(),
                                succeeded=succeeded)


def login_check_password(*, request, username: str, password: str, address: str | None) -> User:
    """First factor. Refuses when throttled; records every attempt."""
    if not username or not password:
        raise DomainError(errors={k: "此项为必填项" for k, v in (("username", username), ("password", password))
                                  if not v})
    if login_is_throttled(username=username, address=address):
        raise DomainError("登录失败次数过多，请15分钟后再试", field="username")
    user = authenticate(request, username=username, password=password)
    if user is None:
        _attempt_record(username=username, address=address, succeeded=False)
        raise DomainError("用户名或密码错误", field="password")
    if not user.requires_second_factor:
        _attempt_record(username=username, address=address, succeeded=True)
    return user


def login_check_totp(*, user: User, code: str, address: str | None) -> None:
    """Second factor: a 6-digit TOTP code, each time step usable once."""
    if login_is_throttled(username=user.username, address=address):
        raise DomainError("登录失败次数过多，请15分钟后再试", field="code")
    code = (code or "").strip()
    totp = pyotp.TOTP(user.totp_secret)
    now = clock.now()
    matched_step = None
    if code.isdigit() and len(code) == 6 and user.totp_secret:
        for offset in (-1, 0, 1):
            at = now + dt.timedelta(seconds=30 * offset)
            if totp.at(at) == code:
                matched_step = totp.timecode(at)
                break
    if matched_step is None or matched_step <= user.totp_last_step:
        _attempt_record(username=user.username, address=address, succeeded=False)
        raise DomainError("动态口令错误或已使用", field="code")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(totp_last_step=matched_step)
        _attempt_record(username=user.username, address=address, succeeded=True)


def notify(*, users, title: str, body: str = "", link: str = "") -> int:
    """Leave a message in each user's inbox (same transaction as the change that caused it)."""
    from .models import Notification

    now = clock.now()
    rows = [Notification(user=u, title=title[:200], body=body, link=link[:255], created_at=now) for u in users]
    Notification.objects.bulk_create(rows)
    return len(rows)
