from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("export.jsonl", views.export_view, name="export"),
    path("releases/<str:ocid>.json", views.release_json_view, name="releases"),
    path("<str:ocid>.json", views.record_json_view, name="record"),
]
