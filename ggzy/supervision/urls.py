from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("firms/<int:entity_id>/network/", views.firm_network_view, name="firm_network"),
]
