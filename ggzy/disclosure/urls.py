from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("notices/", views.notice_list_view, name="notice_list"),
    path("notices/<int:notice_id>/", views.notice_detail_view, name="notice_detail"),
    path("notices/manage/", views.notice_manage_view, name="notice_manage"),
    path("notices/import/", views.notice_import_view, name="notice_import"),
    path("notices/new/", views.notice_publish_view, name="notice_publish"),
    path("notices/<int:notice_id>/withdraw/", views.notice_withdraw_view, name="notice_withdraw"),
]
