"""The draw's pages (appended to ``experts/urls.py``)."""

from django.urls import path

from . import views_draw

urlpatterns = [
    path("draws/", views_draw.draw_list_view, name="draw_list"),
    path("draws/<int:draw_id>/", views_draw.draw_detail_view, name="draw_detail"),
    path("draws/<int:draw_id>/public/", views_draw.draw_public_view, name="draw_public"),
    path("draws/<int:draw_id>/published.json", views_draw.draw_published_view, name="draw_published"),
    path("invitations/", views_draw.invitations_view, name="invitations"),
    path("invitations/<int:drawn_id>/answer/", views_draw.invitation_answer_view, name="invitation_answer"),
]
