from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.ledger_home_view, name="home"),
    path("entries/<int:index>/", views.entry_detail_view, name="entry_detail"),
    path("trace/", views.trace_view, name="trace"),
]
