from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("firms/<int:entity_id>/network/", views.firm_network_view, name="firm_network"),
    path("alerts/", views.alert_list_view, name="alert_list"),
    path("alerts/<int:alert_id>/", views.alert_detail_view, name="alert_detail"),
]
