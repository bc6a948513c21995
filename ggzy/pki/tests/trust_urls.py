"""Test URLconf: the root URLs plus the trust-store pages and API, until ggzy/urls.py and ggzy/api.py mount them."""

from django.urls import include, path
from ninja import NinjaAPI

from ggzy import urls as root
from ggzy.api import api
from ggzy.pki.trust_api import router

if not any(r is router for _, r in api._routers):  # not mounted in ggzy/api.py yet: serve it from a private API with the same error handlers
    test_api = NinjaAPI(urls_namespace="pki_trust_test_api", docs_url=None)
    test_api._exception_handlers = dict(api._exception_handlers)
    test_api.add_router("/v1/pki/trust", router)
    extra_api = [path("pki-test-api/", test_api.urls)]
    API_BASE = "/pki-test-api/v1/pki/trust"
else:
    extra_api = []
    API_BASE = "/api/v1/pki/trust"

mounted = any(getattr(p, "namespace", None) == "pki" for p in root.urlpatterns)
urlpatterns = ([] if mounted else [path("pki/", include("ggzy.pki.trust_views"))]) + extra_api + root.urlpatterns
