"""Every view and API endpoint declares who may call it, in one vocabulary.

``@requires(rule)`` wraps a Django view or a django-ninja operation. The rule is checked before the body
runs; object scope (another center's record) is then enforced by the selectors the body calls
(``*_visible(user)``) and by the ``policies.can_<action>(user, obj)`` functions of each app.
``tests/test_permissions_declared.py`` walks every URL pattern and API operation and fails on any that
declares nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

ATTRIBUTE = "ggzy_permission"


class LoginRequired(PermissionDenied):
    """Raised when an anonymous user reaches a rule that needs an account (pages redirect, API says 401)."""


class RoleRequired(PermissionDenied):
    """Raised when a signed-in user's role does not satisfy a rule; the 403 page names the roles that do."""

    def __init__(self, rule: Rule, message: str = "您的角色无权执行此操作") -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True)
class Rule:
    """A named predicate on the requesting user."""

    name: str
    check: Callable[[Any], bool]
    needs_login: bool = True
    allowed: frozenset[str] = frozenset()  # the roles a ``roles(...)`` rule admits (named on the 403 page)

    def allows(self, user: Any) -> bool:
        if self.needs_login and not getattr(user, "is_authenticated", False):
            return False
        return bool(self.check(user))


PUBLIC = Rule("public", lambda user: True, needs_login=False)
AUTHENTICATED = Rule("authenticated", lambda user: True)


def roles(*allowed: str) -> Rule:
    """Users whose ``role`` is one of ``allowed`` (administrators are not implicitly included)."""
    names = frozenset(str(r) for r in allowed)
    return Rule("roles:" + ",".join(sorted(names)), lambda user: getattr(user, "role", None) in names,
                allowed=names)


def requires(rule: Rule) -> Callable:
    """Declare and enforce ``rule`` on a view (first argument ``request``)."""

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(request, *args, **kwargs):
            user = getattr(request, "user", None)
            if rule.needs_login and not getattr(user, "is_authenticated", False):
                raise LoginRequired("请先登录")
            if not rule.allows(user):
                raise RoleRequired(rule)
            _api_csrf_check(request, user)
            return func(request, *args, **kwargs)

        setattr(wrapper, ATTRIBUTE, rule)
        return wrapper

    return decorate


def _api_csrf_check(request, user: Any) -> None:
    """API writes made with a session cookie must carry the CSRF token (django-ninja exempts its views).

    Anonymous writes carry no authority, so they need none; pages are covered by CsrfViewMiddleware.
    """
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    if not request.path.startswith("/api/") or not getattr(user, "is_authenticated", False):
        return
    from ninja.utils import check_csrf

    if check_csrf(request) is not None:
        raise PermissionDenied("CSRF 校验失败，请刷新页面后重试")


def declared_rule(view: Callable) -> Rule | None:
    """The rule a view declared, looking through decorators and class-based views."""
    seen = set()
    current: Any = view
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        rule = getattr(current, ATTRIBUTE, None)
        if rule is not None:
            return rule
        view_class = getattr(current, "view_class", None)
        if view_class is not None and getattr(view_class, ATTRIBUTE, None) is not None:
            return getattr(view_class, ATTRIBUTE)
        current = getattr(current, "__wrapped__", None)
    return None
