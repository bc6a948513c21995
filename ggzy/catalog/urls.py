from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_view, name="catalog"),
    path("rules/", views.rules_view, name="rules"),
    path("processes/", views.processes_view, name="processes"),
]
