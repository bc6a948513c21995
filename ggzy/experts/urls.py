"""Pages of the expert pool under /experts/ (other helpers append their paths at the end)."""

from django.urls import path

from . import views

app_name = "experts"
urlpatterns: list = [
    path("", views.health_view, name="health"),
    path("imports/", views.imports_view, name="imports"),
    path("imports/<int:import_id>/", views.import_detail_view, name="import_detail"),
    path("conflicts/", views.conflicts_view, name="conflicts"),
    path("conflicts/<int:conflict_id>/resolve/", views.conflict_resolve_view, name="conflict_resolve"),
    path("changes/", views.changes_view, name="changes"),
    path("changes/<int:request_id>/decide/", views.change_decide_view, name="change_decide"),
    path("pool/<int:expert_id>/", views.expert_view, name="expert"),
    path("me/", views.me_view, name="me"),
]

from .urls_draw import urlpatterns as draw_urlpatterns  # noqa: E402 — the draw (branch draw)

urlpatterns += draw_urlpatterns

from .views_pool import urlpatterns as pool_urlpatterns  # noqa: E402 — pages added by branch poolpages

urlpatterns += pool_urlpatterns
