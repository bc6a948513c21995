"""The REST API: ``/api/v1/``, OpenAPI docs at ``/api/docs``. Each domain app contributes a router."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ggzy.core.api_errors import StrictJSONParser, validation_error_as_domain
from ggzy.core.errors import DomainError, TooManyRequests
from ggzy.core.permissions import LoginRequired

api = NinjaAPI(
    title="山东省公共资源交易平台 API",
    version="1",
    description="公共资源交易平台开放接口（v1）。写操作需登录（会话）；公开数据无需登录。",
    urls_namespace="api",
    docs_url="/docs",
    parser=StrictJSONParser(),
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    response = api.create_response(request, exc.as_dict(), status=exc.status_code)
    if isinstance(exc, TooManyRequests):
        response["Retry-After"] = str(exc.retry_after)
    return response


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
    return api.create_response(request, validation_error_as_domain(exc.errors).as_dict(), status=400)


@api.exception_handler(MultiPartParserError)
def _multipart_error(request, exc):
    detail = "请求体不是有效的 multipart/form-data（缺少分隔符或格式不正确）"
    return api.create_response(request, {"detail": detail, "errors": {"__all__": [detail]}}, status=400)


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    # Django's own refusals of a request: too many fields or files, a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    detail = "请求过大或格式异常，已拒绝"
    return api.create_response(request, {"detail": detail, "errors": {"__all__": [detail]}}, status=400)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # django-ninja wraps a parser's refusal of the body in HttpError(400, "Cannot parse request body").
    cause = exc.__cause__
    if isinstance(cause, DomainError):
        return api.create_response(request, cause.as_dict(), status=cause.status_code)
    detail = _HTTP_MESSAGES.get(exc.status_code, "请求无法处理")
    return api.create_response(request, {"detail": detail, "errors": {"__all__": [detail]}}, status=exc.status_code)


_HTTP_MESSAGES = {400: "请求格式不正确", 401: "请先登录", 403: "无权访问", 404: "对象不存在或无权查看",
                  405: "不支持此请求方法", 409: "当前状态不允许此操作", 413: "请求体过大", 429: "请求过于频繁，请稍后再试"}


def _mount() -> None:
    from ggzy.accounts.api import router as accounts_router
    from ggzy.catalog.api import router as catalog_router
    from ggzy.centers.api import router as centers_router
    from ggzy.credit.api import router as credit_router
    from ggzy.disclosure.api import router as disclosure_router
    from ggzy.experts.api import router as experts_router
    from ggzy.ledger.api import router as ledger_router
    from ggzy.opendata.api import national_router
    from ggzy.opendata.api import router as opendata_router
    from ggzy.pki.agent_api import router as pki_agent_router
    from ggzy.pki.bindings_api import router as pki_bindings_router
    from ggzy.pki.trust_api import router as pki_trust_router
    from ggzy.publication.api import router as publication_router
    from ggzy.registry.api import router as registry_router
    from ggzy.rights.api import router as rights_router
    from ggzy.supervision.api import router as supervision_router
    from ggzy.tendering.api import router as tendering_router

    api.add_router("/v1/accounts", accounts_router, tags=["账户"])
    api.add_router("/v1/registry", registry_router, tags=["市场主体（一表申请）"])
    api.add_router("/v1/catalog", catalog_router, tags=["交易目录、制度规则、流程清单"])
    api.add_router("/v1/disclosure", disclosure_router, tags=["信息公开"])
    api.add_router("/v1/tendering", tendering_router, tags=["电子招标投标与政府采购"])
    api.add_router("/v1/experts", experts_router, tags=["评标专家库"])
    api.add_router("/v1/ledger", ledger_router, tags=["交易记录存证"])
    api.add_router("/v1/pki/trust", pki_trust_router, tags=["CA互认"])
    api.add_router("/v1/pki/person-certificates", pki_bindings_router, tags=["CA互认"])
    api.add_router("/v1/pki/certificate-status", pki_agent_router, tags=["CA互认"])
    api.add_router("/v1/supervision", supervision_router, tags=["监督预警"])
    api.add_router("/v1/centers", centers_router, tags=["交易中心与代理机构评价"])
    api.add_router("/v1/ocds", opendata_router, tags=["开放数据（OCDS）"])
    api.add_router("/v1/exchange", national_router, tags=["开放数据（全国交换格式）"])
    api.add_router("/v1/publications", publication_router, tags=["信息推送"])
    api.add_router("/v1/credit", credit_router, tags=["信用信息"])
    api.add_router("/v1/rights", rights_router, tags=["产权与资源权益网上挂牌"])


_mount()
