"""Every page and every API operation declares who may call it (ggzy.core.permissions.requires)."""

from django.urls import URLPattern, URLResolver, get_resolver

from ggzy.api import api
from ggzy.core.permissions import declared_rule

# Patterns that are not ours to decorate, each with the reason.
EXEMPT_NAMESPACES = {
    "admin": "Django admin: every view checks is_staff and model permissions itself",
}
EXEMPT_API_VIEWS = {"openapi-json", "openapi-view"}  # the public OpenAPI schema and its docs page


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield namespace, p


def test_every_page_declares_a_permission():
    # given every URL pattern outside the admin and the API
    missing = []
    for namespace, pattern in _walk(get_resolver().url_patterns):
        if namespace in EXEMPT_NAMESPACES or namespace == "api":
            continue
        if pattern.name == "admin_login":
            assert declared_rule(pattern.callback) is not None
            continue
        # when we look for the declared rule
        if declared_rule(pattern.callback) is None:
            missing.append(f"{namespace}:{pattern.name} ({pattern.pattern})")
    # then none is missing
    assert not missing, "views without @requires(...): " + ", ".join(missing)


def test_every_api_operation_declares_a_permission():
    missing = []
    count = 0
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                count += 1
                if declared_rule(operation.view_func) is None:
                    missing.append(f"{','.join(operation.methods)} {prefix}{path}")
    assert count > 0
    assert not missing, "API operations without @requires(...): " + ", ".join(missing)


def test_api_docs_are_the_only_exempt_api_views():
    names = {p.name for p in api.urls[0] if isinstance(p, URLPattern)}
    assert names >= EXEMPT_API_VIEWS
