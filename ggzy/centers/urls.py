from django.urls import path

from . import views, views_ratings

app_name = "centers"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("act/<slug:action>/", views.home_action_view, name="home_action"),
    path("ratings/", views_ratings.ratings_summary_view, name="ratings_summary"),
    path("ratings/third-party/", views_ratings.third_party_rating_view, name="rating_third_party"),
    path("activate/", views.activate_view, name="activate"),
    path("sessions/", views.sessions_view, name="sessions"),
    path("sessions/<int:session_id>/", views.session_view, name="session"),
    path("sessions/<int:session_id>/request/", views.session_request_view, name="session_request"),
    path("sessions/<int:session_id>/log/", views.session_log_view, name="session_log"),
]
