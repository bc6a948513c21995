"""Root URLs: the portal (disclosure), accounts, registry, catalog, the API and the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from ggzy.api import api
from ggzy.core.permissions import PUBLIC, requires

admin.site.site_header = "山东省公共资源交易平台 · 管理后台"
admin.site.site_title = "交易平台管理后台"
admin.site.index_title = "管理"

# The admin signs in through the platform's own login (password + TOTP); its own form is never shown.
admin_login = requires(PUBLIC)(RedirectView.as_view(pattern_name="accounts:login", query_string=True))

urlpatterns = [
    path("i18n/setlang/", requires(PUBLIC)(set_language), name="set_language"),
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("ggzy.accounts.urls")),
    path("registry/", include("ggzy.registry.urls")),
    path("catalog/", include("ggzy.catalog.urls")),
    path("ledger/", include("ggzy.ledger.urls")),
    path("tendering/", include("ggzy.tendering.urls")),
    path("pki/", include("ggzy.pki.trust_views")),
    path("experts/", include("ggzy.experts.urls")),
    path("centers/", include("ggzy.centers.urls")),
    path("supervision/", include("ggzy.supervision.urls")),
    path("ocds/", include("ggzy.opendata.urls")),
    path("publication/", include("ggzy.publication.views")),
    path("credit/", include("ggzy.credit.urls")),
    path("rights/", include("ggzy.rights.urls")),
    path("kiosk/", include("ggzy.kiosk.urls")),
    path("", include("ggzy.disclosure.urls")),
]

# Error pages in the site's frame and language (ggzy/templates/403.html, 404.html, 500.html).
handler403 = "ggzy.core.error_views.permission_denied"
handler404 = "ggzy.core.error_views.page_not_found"
handler500 = "ggzy.core.error_views.server_error"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

