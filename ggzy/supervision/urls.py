from django.urls import path

from . import views, views_referral, views_workspace

app_name = "supervision"

urlpatterns = [
    path("", views_workspace.workspace_view, name="workspace"),
    path("firms/<int:entity_id>/network/", views.firm_network_view, name="firm_network"),
    path("alerts/", views.alert_list_view, name="alert_list"),
    path("alerts/<int:alert_id>/", views.alert_detail_view, name="alert_detail"),
    path("lots/<int:lot_id>/timeline/", views_workspace.lot_timeline_view, name="lot_timeline"),
    path("powers/", views_referral.power_list_view, name="power_list"),
    path("referrals/", views_referral.referral_list_view, name="referral_list"),
    path("referrals/new/", views_referral.referral_new_view, name="referral_new"),
    path("referrals/<int:referral_id>/", views_referral.referral_detail_view, name="referral_detail"),
    path("referrals/<int:referral_id>/act/", views_referral.referral_act_view, name="referral_act"),
]
