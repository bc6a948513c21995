"""Pages of the expert pool under /experts/ (other helpers append their paths at the end)."""

from django.urls import path  # noqa: F401

from . import views  # noqa: F401

app_name = "experts"
urlpatterns: list = [
]
