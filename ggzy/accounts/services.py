"""Account writes: creating users, second factors, and sign-in slowed down after failures."""

from __future__ import annotations

import datetime as dt
import hmac
import math

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Count, Max

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError, TooManyRequests

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


# Every refusal of a password sign-in says the same, whichever factor was wrong, so that the password cannot be
# confirmed by someone who does not hold the second factor.
LOGIN_REFUSED = "用户名、密码或动态口令错误"


class LoginThrottled(TooManyRequests):
    """Too many recent failures: the attempt must wait, and nothing it carries is checked."""

    def __init__(self, seconds: int, *, field: str = "__all__") -> None:
        super().__init__(f"登录失败次数过多，请等待{seconds}秒后再试", retry_after=seconds, field=field)


def _failures_wait(attempts, *, allowance: int, now: dt.datetime) -> int:
    """Seconds still to wait after ``attempts`` (failures): none below ``allowance``, then 2, 4, 8 … seconds
    after the last failure, at most GGZY_LOGIN_MAX_DELAY_SECONDS."""
    stats = attempts.aggregate(failures=Count("pk"), last=Max("at"))
    excess = stats["failures"] - allowance
    if excess < 0 or stats["last"] is None:
        return 0
    delay = min(settings.GGZY_LOGIN_MAX_DELAY_SECONDS, 2 ** min(excess + 1, 30))
    remaining = (stats["last"] + dt.timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(remaining))


def login_wait_seconds(*, username: str, address: str | None, before: int | None = None) -> int:
    """How long the next sign-in attempt for ``username`` from ``address`` must wait (0: it may go ahead).

    Per user name: its failures since its last success, within GGZY_LOGIN_FAILURE_MEMORY_SECONDS, beyond
    GGZY_LOGIN_MAX_FAILURES. Per client address (password spraying across names): its failures within
    GGZY_LOGIN_WINDOW_SECONDS beyond four times that, short so that an office behind one NAT address recovers
    quickly. ``before`` limits the count to attempts recorded before that one (an attempt in progress)."""
    now = clock.now()
    attempts = LoginAttempt.objects.all()
    if before is not None:
        attempts = attempts.filter(pk__lt=before)
    allowance = settings.GGZY_LOGIN_MAX_FAILURES
    by_name = attempts.filter(username=username[:150],
                              at__gte=now - dt.timedelta(seconds=settings.GGZY_LOGIN_FAILURE_MEMORY_SECONDS))
    last_success = by_name.filter(succeeded=True).aggregate(pk=Max("pk"))["pk"] or 0
    wait = _failures_wait(by_name.filter(succeeded=False, pk__gt=last_success), allowance=allowance, now=now)
    if address:
        by_address = attempts.filter(address=address, succeeded=False,
                                     at__gte=now - dt.timedelta(seconds=settings.GGZY_LOGIN_WINDOW_SECONDS))
        wait = max(wait, _failures_wait(by_address, allowance=allowance * 4, now=now))
    return wait


def login_is_throttled(*, username: str, address: str | None) -> bool:
    """The next attempt for this user name from this address must still wait (see ``login_wait_seconds``)."""
    return login_wait_seconds(username=username, address=address) > 0


def _attempt_record(*, username: str, address: str | None, succeeded: bool) -> LoginAttempt:
    return LoginAttempt.objects.create(username=username[:150], address=address or None, at=clock.now(),
                                       succeeded=succeeded)


def login_attempt_begin(*, username: str, address: str | None, field: str = "__all__") -> LoginAttempt:
    """Record the attempt as a failure before any secret is checked, then refuse it if it must wait.

    Committed first (no enclosing transaction) so that a burst of parallel guesses counts itself: each one sees
    the attempts recorded before it. A refused attempt is removed, so that waiting is not made longer by asking
    too early, and nothing it carries is checked."""
    attempt = _attempt_record(username=username, address=address, succeeded=False)
    wait = login_wait_seconds(username=username, address=address, before=attempt.pk)
    if wait:
        attempt.delete()
        raise LoginThrottled(wait, field=field)
    return attempt


def login_attempt_succeeded(attempt: LoginAttempt) -> None:
    LoginAttempt.objects.filter(pk=attempt.pk).update(succeeded=True)


def certificate_sign_in(*, session, certificate_pem: str, signature: str, nonce: str, address: str | None,
                        username: str = "") -> User:
    """Certificate sign-in with the same slow-down as passwords, counted per certificate (``pki.login``)."""
    from ggzy.pki import login as certificate_login

    if not (certificate_pem or "").strip():
        raise DomainError("请选择证书文件", field="certificate")
    attempt = login_attempt_begin(username=certificate_login.throttle_key(certificate_pem), address=address,
                                  field="certificate")
    user = certificate_login.certificate_login(session=session, certificate_pem=certificate_pem, signature=signature,
                                               nonce=nonce, address=address, username=username)
    login_attempt_succeeded(attempt)
    return user


def _totp_accept(*, user: User, code: str) -> bool:
    """Accept a 6-digit TOTP code of the current, previous or next 30-second step, once.

    Single use is a conditional update of the user's last accepted step: of several requests carrying the same
    code at the same moment, exactly one moves the step forward and the others match no row."""
    code = (code or "").strip()
    if not (user.totp_secret and len(code) == 6 and code.isdigit()):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = clock.now()
    for offset in (-1, 0, 1):
        at = now + dt.timedelta(seconds=30 * offset)
        if not hmac.compare_digest(totp.at(at), code):
            continue
        step = totp.timecode(at)
        if User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step) == 1:
            user.totp_last_step = step
            return True
    return False


def login_authenticate(*, request, username: str, password: str, totp: str = "", address: str | None) -> User:
    """Password sign-in; roles that need a second factor give their TOTP code in the same request.

    Refuses with ``LoginThrottled`` (before checking anything) while recent failures impose a wait, and with one
    and the same ``DomainError`` (LOGIN_REFUSED) for an unknown name, a wrong password, or a right password with
    a missing, wrong or already used code. Every attempt is recorded. Not atomic on purpose: the attempt and the
    code's use must stay recorded when the sign-in is refused."""
    if not username or not password:
        raise DomainError(errors={k: "此项为必填项" for k, v in (("username", username), ("password", password))
                                  if not v})
    attempt = login_attempt_begin(username=username, address=address)
    user = authenticate(request, username=username, password=password)
    if user is not None and user.requires_second_factor and not _totp_accept(user=user, code=totp):
        user = None
    if user is None:
        raise DomainError(LOGIN_REFUSED)
    login_attempt_succeeded(attempt)
    return user


def login_check_totp(*, user: User, code: str, address: str | None) -> None:
    """Second factor after a certificate sign-in: a 6-digit TOTP code, each time step usable once."""
    attempt = login_attempt_begin(username=user.username, address=address, field="code")
    if not _totp_accept(user=user, code=code):
        raise DomainError("动态口令错误或已使用", field="code")
    login_attempt_succeeded(attempt)


def notify(*, users, title: str, body: str = "", link: str = "") -> int:
    """Leave a message in each user's inbox (same transaction as the change that caused it)."""
    from .models import Notification

    now = clock.now()
    rows = [Notification(user=u, title=title[:200], body=body, link=link[:255], created_at=now) for u in users]
    Notification.objects.bulk_create(rows)
    return len(rows)


def notifications_mark_read(*, user, link_prefix: str) -> int:
    """Mark the user's own unread messages whose link starts with ``link_prefix`` as read."""
    from .models import Notification

    if not getattr(user, "is_authenticated", False) or not link_prefix:
        return 0
    return Notification.objects.filter(user=user, link__startswith=link_prefix, read_at__isnull=True).update(
        read_at=clock.now())
