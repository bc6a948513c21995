from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("alerts/", views.alert_list_view, name="alert_list"),
    path("alerts/<int:alert_id>/", views.alert_detail_view, name="alert_detail"),
]
