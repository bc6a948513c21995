"""Sign-in (password with the TOTP code on the same form; certificate, then TOTP for staff), sign-out and the
account page."""

from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ggzy.core.errors import DomainError
from ggzy.core.forms import apply_domain_error
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires
from ggzy.pki import login as certificate_login

from . import selectors, services
from .client_address import client_address
from .forms import CertificateLoginForm, LoginForm, TotpForm

PENDING_KEY = "ggzy_pending_user"
NEXT_KEY = "ggzy_login_next"


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return "/"


@requires(PUBLIC)
def login_view(request):
    """One step for everyone: staff give their TOTP code with the password, and every refusal reads the same."""
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next")
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_authenticate(request=request, username=form.cleaned_data["username"],
                                               password=form.cleaned_data["password"],
                                               totp=form.cleaned_data["code"], address=client_address(request))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(_safe_next(request, next_url))
    return render(request, "accounts/pages/login.html", {"form": form, "next": next_url or ""})


def site_origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _signed_in(request, user, next_url: str | None):
    """After a certificate sign-in: staff still give their TOTP code; everyone else is signed in."""
    if user.requires_second_factor:
        request.session[PENDING_KEY] = user.pk
        request.session[NEXT_KEY] = _safe_next(request, next_url)
        return redirect("accounts:login_totp")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(_safe_next(request, next_url))


@requires(PUBLIC)
def login_certificate_view(request):
    """证书登录: the page shows a fresh challenge; the browser signs it with the key file (WebCrypto)."""
    form = CertificateLoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next")
    if request.method == "POST" and form.is_valid():
        try:
            user = services.certificate_sign_in(
                session=request.session, certificate_pem=form.cleaned_data["certificate"],
                signature=form.cleaned_data["signature"], nonce=form.cleaned_data["nonce"],
                username=form.cleaned_data["username"], address=client_address(request))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return _signed_in(request, user, next_url)
    challenge = certificate_login.certificate_challenge_issue(session=request.session, origin=site_origin(request))
    return render(request, "accounts/pages/login_certificate.html",
                  {"form": form, "next": next_url or "", "challenge": challenge,
                   "ttl_minutes": int(certificate_login.CHALLENGE_TTL.total_seconds() // 60)})


@requires(PUBLIC)
def login_totp_view(request):
    user_id = request.session.get(PENDING_KEY)
    user = selectors.user_get_active(user_id=user_id) if user_id else None
    if user is None:
        return redirect("accounts:login")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.login_check_totp(user=user, code=form.cleaned_data["code"], address=client_address(request))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            next_url = request.session.get(NEXT_KEY, "/")
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(next_url)
    return render(request, "accounts/pages/login_totp.html", {"form": form, "pending_user": user})


@requires(PUBLIC)
@require_POST
def logout_view(request):
    logout(request)
    return redirect("disclosure:home")


@requires(AUTHENTICATED)
def me_view(request):
    return render(request, "accounts/pages/me.html", {"account": request.user})
