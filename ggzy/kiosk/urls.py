from django.urls import path

from . import views

app_name = "kiosk"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("notices/", views.notice_list_view, name="notice_list"),
    path("notices/<int:notice_id>/", views.notice_detail_view, name="notice_detail"),
    path("search/", views.search_view, name="search"),
]
