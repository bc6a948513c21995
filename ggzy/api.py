"""The REST API: ``/api/v1/``, OpenAPI docs at ``/api/docs``. Each domain app contributes a router."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from ggzy.core.errors import DomainError
from ggzy.core.permissions import LoginRequired

api = NinjaAPI(
    title="山东省公共资源交易平台 API",
    version="1",
    description="公共资源交易平台开放接口（v1）。写操作需登录（会话）；公开数据无需登录。",
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(LoginRequired)
def _login_required(request, exc):
    return api.create_response(request, {"detail": "请先登录", "errors": {}}, status=401)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return api.create_response(request, {"detail": "请先登录", "errors": {}}, status=401)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权访问", "errors": {}}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "对象不存在或无权查看", "errors": {}}, status=404)


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        loc = [str(p) for p in item.get("loc", []) if p not in ("body", "payload", "query", "path")]
        field = ".".join(loc) or "__all__"
        errors.setdefault(field, []).append(_zh_validation_message(item))
    first_field, first_msgs = next(iter(errors.items()), ("__all__", ["请求格式不正确"]))
    return api.create_response(request, {"detail": f"{first_field}: {first_msgs[0]}", "errors": errors}, status=422)


_MESSAGES = {
    "missing": "此项为必填项",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "string_type": "必须为文本",
    "int_parsing": "必须为整数",
    "decimal_parsing": "必须为数字",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "json_invalid": "JSON 格式不正确",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
}


def _zh_validation_message(item: dict) -> str:
    return _MESSAGES.get(item.get("type", ""), item.get("msg", "格式不正确"))


def _mount() -> None:
    from ggzy.accounts.api import router as accounts_router
    from ggzy.catalog.api import router as catalog_router
    from ggzy.disclosure.api import router as disclosure_router
    from ggzy.ledger.api import router as ledger_router
    from ggzy.pki.bindings_api import router as pki_bindings_router
    from ggzy.pki.trust_api import router as pki_trust_router
    from ggzy.registry.api import router as registry_router
    from ggzy.tendering.api import router as tendering_router

    api.add_router("/v1/accounts", accounts_router, tags=["账户"])
    api.add_router("/v1/registry", registry_router, tags=["市场主体（一表申请）"])
    api.add_router("/v1/catalog", catalog_router, tags=["交易目录、制度规则、流程清单"])
    api.add_router("/v1/disclosure", disclosure_router, tags=["信息公开"])
    api.add_router("/v1/tendering", tendering_router, tags=["电子招标投标与政府采购"])
    api.add_router("/v1/ledger", ledger_router, tags=["交易记录存证"])
    api.add_router("/v1/pki/trust", pki_trust_router, tags=["CA互认"])
    api.add_router("/v1/pki/person-certificates", pki_bindings_router, tags=["CA互认"])


_mount()
