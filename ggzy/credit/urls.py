from django.urls import path

from . import views

app_name = "credit"

urlpatterns = [
    path("", views.public_view, name="public"),
    path("my/", views.my_credit_view, name="my"),
    path("my/report.pdf", views.my_report_pdf_view, name="my_report"),
    path("my/repair/<str:record_no>/", views.my_repair_view, name="my_repair"),
    path("repairs/", views.repair_list_view, name="repairs"),
    path("repairs/<int:request_id>/review/", views.repair_review_view, name="repair_review"),
    path("records/", views.record_list_view, name="records"),
    path("records/new/", views.record_new_view, name="record_new"),
    path("records/import/", views.import_view, name="import"),
    path("records/<str:record_no>/", views.record_detail_view, name="record"),
    path("records/<str:record_no>/correct/", views.record_correct_view, name="record_correct"),
    path("subjects/<str:subject_kind>/<str:subject_key>/", views.subject_view, name="subject"),
]
