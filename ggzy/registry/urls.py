from django.urls import path

from . import views, views_control

app_name = "registry"
urlpatterns = [
    path("entities/", views.entity_list_view, name="entity_list"),
    path("entities/mine/", views.entity_mine_view, name="entity_mine"),
    path("entities/<str:credit_code>/", views.entity_detail_view, name="entity_detail"),
    path("entities/<str:credit_code>/edit/", views.entity_edit_view, name="entity_edit"),
    path("entities/<str:credit_code>/verify/", views.entity_verify_view, name="entity_verify"),
    path("entities/<str:credit_code>/name-changes/<int:change_id>/<str:decision>/", views.name_change_decide_view,
         name="name_change_decide"),
    path("entities/<str:credit_code>/controls/add/", views_control.entity_control_add_view, name="entity_control_add"),
    path("entities/<str:credit_code>/controls/<int:control_id>/end/", views_control.entity_control_end_view,
         name="entity_control_end"),
    path("entities/<str:credit_code>/<str:kind>/add/", views.entity_part_add_view, name="entity_part_add"),
    path("entities/<str:credit_code>/<str:kind>/<int:part_id>/remove/", views.entity_part_remove_view,
         name="entity_part_remove"),
    path("apply/", views.entity_apply_view, name="entity_apply"),
    path("apply/check-credit-code/", views.credit_code_check_view, name="credit_code_check"),
    path("apply/rows/<str:kind>/", views.entity_apply_row_view, name="entity_apply_row"),
    path("apply/done/<str:credit_code>/", views.entity_apply_done_view, name="entity_apply_done"),
]
