from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("entities/", views.entity_list_view, name="entity_list"),
    path("apply/", views.entity_apply_view, name="entity_apply"),
]
