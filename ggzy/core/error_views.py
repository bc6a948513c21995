"""The 403, 404, 500 and CSRF-failure pages: in the site's frame and the page's language, saying why.

403 names the roles the page or action admits (``permissions.RoleRequired``) and the visitor's own role; 404 says
what was not found (the message of the ``Http404`` raised, translated) and the address asked for; the 500 page
renders without the database (no request context: no session, no user, no query) so it shows when the database
is down. API addresses answer JSON as the API does.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext

from .permissions import RoleRequired
from .roles import Role
from .ui_text import translate_message


def _reason(exception: BaseException | None) -> str:
    """The message the view raised with, translated; empty for Django's own generic messages."""
    if exception is None:
        return ""
    message = exception.args[0] if getattr(exception, "args", None) else ""
    if not isinstance(message, str) or not message:
        return ""
    return translate_message(message)


def _role_labels(names) -> list[str]:
    labels = []
    for name in sorted(names):
        try:
            labels.append(str(Role(name).label))
        except ValueError:
            labels.append(name)
    return labels


def permission_denied(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _reason(exception) or gettext("您的角色无权执行此操作")}, status=403)
    user: Any = getattr(request, "user", None)
    rule = exception.rule if isinstance(exception, RoleRequired) else None
    signed_in = bool(getattr(user, "is_authenticated", False)) and hasattr(user, "get_role_display")
    context = {
        "reason": _reason(exception),
        "needed_roles": _role_labels(rule.allowed) if rule is not None else [],
        "current_role": user.get_role_display() if signed_in else "",
        "path": request.path,
    }
    return HttpResponse(loader.render_to_string("403.html", context, request), status=403)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _reason(exception) or gettext("页面不存在")}, status=404)
    raw = exception.args[0] if exception is not None and getattr(exception, "args", None) else ""
    # Django's own 404s (no URL pattern matched: a dict of tried patterns; get_object_or_404's English sentence)
    # are not reasons for people: the page then says only that the address does not exist.
    reason = _reason(exception) if isinstance(raw, str) and not raw.isascii() else ""
    context = {"reason": reason, "path": request.path}
    return HttpResponse(loader.render_to_string("404.html", context, request), status=404)


def server_error(request):
    """No request context: the page must render even when the database (sessions, the user) is unreachable."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("服务器内部错误")}, status=500)
    return HttpResponse(loader.render_to_string("500.html", {}), status=500)


def csrf_failure(request, reason=""):
    """A form sent without (or with an expired) CSRF token: say what to do, in the site's frame."""
    context = {"path": request.path}
    return HttpResponse(loader.render_to_string("403_csrf.html", context, request), status=403)
