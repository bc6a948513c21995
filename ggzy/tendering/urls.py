from django.urls import path

from . import (
    views,
    views_alerts,
    views_bonds,
    views_complaints,
    views_custody,
    views_documents,
    views_hall,
    views_intention,
    views_negotiation,
    views_ratings,
    views_receipt,
    views_sealed,
    views_service_ratings,
    views_single_source,
)

app_name = "tendering"
urlpatterns = [
    path("", views.workspace_view, name="workspace"),
    path("lots/", views.lot_list_view, name="lot_list"),
    path("projects/new/", views.project_new_view, name="project_new"),
    path("projects/<int:project_id>/", views.project_detail_view, name="project_detail"),
    path("projects/<int:project_id>/documents/<int:document_id>/", views.project_document_view,
         name="project_document"),
    path("projects/<int:project_id>/lot-documents/<int:document_id>/", views.project_lot_document_view,
         name="project_lot_document"),
    path("projects/<int:project_id>/documents/add/", views.project_documents_add_view, name="project_documents_add"),
    path("projects/<int:project_id>/review/", views.project_review_view, name="project_review"),
    path("lots/<int:lot_id>/", views.lot_view, name="lot"),
    path("lots/<int:lot_id>/act/<slug:action>/", views.lot_action_view, name="lot_action"),
    *views_sealed.urlpatterns,  # 自持密钥投标页（浏览器加密）
    *views_documents.urlpatterns,  # 招标文件下载（已报名投标人，记录下载）
    *views_receipt.urlpatterns,  # 投标回执（PDF）
    *views_bonds.urlpatterns,  # 保证金管理（交易中心）
    *views_custody.urlpatterns,  # 开标密钥保管人（交易中心）
    *views_hall.urlpatterns,  # 不见面开标大厅
    *views_negotiation.urlpatterns,  # 竞争性谈判（谈判小组、供应商）
    *views_intention.urlpatterns,  # 采购意向公开
    *views_single_source.urlpatterns,  # 单一来源（公示、异议、协商）
    *views_alerts.urlpatterns,  # 评标委员会的预警认定
    *views_service_ratings.urlpatterns,  # 评价交易中心与代理机构（标段当事人）
    *views_ratings.urlpatterns,  # 评标专家履职评价（招标人、交易中心）
    *views_complaints.urlpatterns,  # 异议（质疑）与投诉
]
