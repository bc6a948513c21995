from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("notices/", views.notice_list_view, name="notice_list"),
]
