"""Pages of the expert pool under /experts/ (other helpers append their paths at the end)."""

from django.urls import path  # noqa: F401

from . import views  # noqa: F401

app_name = "experts"
urlpatterns: list = [
]

from .urls_draw import urlpatterns as draw_urlpatterns  # noqa: E402 — the draw (branch draw)

urlpatterns += draw_urlpatterns
