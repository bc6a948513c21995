from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_view, name="catalog"),
    path("rules/", views.rules_view, name="rules"),
    path("processes/", views.processes_view, name="processes"),
    path("processes/<int:template_id>/", views.process_detail_view, name="process_detail"),
    path("calendar/", views.calendar_today_view, name="calendar_today"),
    path("calendar/<int:year>/", views.calendar_view, name="calendar"),
]
