"""Tendering reads, scoped to the user."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ggzy.accounts.roles import Role
from ggzy.disclosure.models import Notice, NoticeType
from ggzy.disclosure.selectors import notice_list_public

from . import policies, sealing
from .choices import LotState
from .models import Bid, Lot, Project, SignUp

PUBLIC_LOT_STATES = [s for s in LotState.values if s != LotState.DRAFT]


def project_list_visible(*, user) -> QuerySet[Project]:
    """Staff and supervisors: their center's projects (all when provincial); owners: their own; others: none."""
    qs = Project.objects.select_related("center", "region", "tenderer", "agency")
    role = getattr(user, "role", None)
    if role in (Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN):
        return qs if user.is_provincial else qs.filter(center_id=user.center_id)
    if role in (Role.TENDERER, Role.AGENCY):
        entity = policies.acting_entity(user)
        if entity is None:
            return qs.none()
        return qs.filter(Q(tenderer=entity) | Q(agency=entity))
    return qs.none()


def project_get_visible(*, user, project_id: int) -> Project | None:
    return project_list_visible(user=user).filter(pk=project_id).first()


def lot_list_public() -> QuerySet[Lot]:
    """Published lots (the public sees no bid information on them before the opening)."""
    return Lot.objects.filter(state__in=PUBLIC_LOT_STATES).select_related("project__center", "project__region")


def lot_get_for_user(*, user, lot_id: int) -> Lot | None:
    """A lot the user may see: any published lot, or a draft the user's project list contains."""
    lot = Lot.objects.select_related("project__center", "project__region", "project__tenderer",
                                     "project__agency").filter(pk=lot_id).first()
    if lot is None:
        return None
    if lot.state != LotState.DRAFT:
        return lot
    return lot if project_list_visible(user=user).filter(pk=lot.project_id).exists() else None


def lots_signed_up(*, user) -> list[tuple[Lot, SignUp]]:
    """The acting bidder's sign-ups, found by recomputing its per-lot tags (identities are sealed)."""
    entity = policies.acting_entity(user)
    if entity is None:
        return []
    lots = list(lot_list_public().exclude(state=LotState.ARCHIVED))
    tags = {sealing.bidder_tag(lot_id=lot.pk, entity_id=entity.pk): lot for lot in lots}
    signups = SignUp.objects.filter(bidder_tag__in=list(tags))
    return [(tags[s.bidder_tag], s) for s in signups]


def bid_for_user(*, user, lot: Lot) -> Bid | None:
    entity = policies.acting_entity(user)
    if entity is None:
        return None
    return Bid.objects.filter(lot=lot, bidder_tag=sealing.bidder_tag(lot_id=lot.pk, entity_id=entity.pk)).first()


def lots_for_expert(*, user) -> QuerySet[Lot]:
    return Lot.objects.filter(committee__user=user).select_related("project").distinct()


def lots_for_center(*, user) -> QuerySet[Lot]:
    qs = Lot.objects.select_related("project__center")
    return qs if user.is_provincial else qs.filter(project__center_id=user.center_id)


def lot_signatures_visible(*, user, lot: Lot) -> list[dict]:
    """The lot's signed documents as ``user`` may see them: per document its label, SHA-256, every signature with
    today's verdict against the document as stored now, and whether ``user`` is a party who may sign it."""
    from ggzy.pki.models_signatures import SignaturePurpose
    from ggzy.pki.signing_selectors import signatures_for

    from . import documents, masking

    shown: dict[str, bool] = {
        SignaturePurpose.OPENING_RECORD: masking.visible("bidders", lot, user),
        SignaturePurpose.EVALUATION_REPORT: masking.visible("evaluation_ranking", lot, user),
        SignaturePurpose.AWARD_NOTICE: True,
        SignaturePurpose.CONTRACT: True,
    }
    sections = []
    for document in documents.documents_present(lot):
        if not shown[document.purpose]:
            continue
        sections.append({
            "purpose": document.purpose, "label": document.label, "sha256": document.sha256,
            "signatures": signatures_for(document.object_type, document.obj.pk, purpose=document.purpose,
                                         content=document.content),
            "can_sign": policies.can_sign_document(user, lot, document.purpose),
        })
    if masking.visible("bidders", lot, user) or lot.state == LotState.OPENING:
        views = []
        for bid in lot.bids.exclude(state="withdrawn").order_by("id"):
            views += signatures_for("tendering.bid", bid.pk, purpose=SignaturePurpose.BID,
                                    content=documents.bid_manifest(bid))
        if views or lot.state == LotState.OPENING:
            sections.insert(0, {"purpose": SignaturePurpose.BID, "label": SignaturePurpose.BID.label, "sha256": "",
                                "signatures": views if masking.visible("bidders", lot, user) else [],
                                "can_sign": lot.state == LotState.OPENING and policies.can_bid(user)})
    return sections


def lot_document_content_visible(*, user, lot: Lot, purpose: str):
    """The document to download for signing or checking: a responsible party always, others when it is shown."""
    from ggzy.core.errors import NotAllowed

    from . import documents, masking
    from .services.signatures import document_for_signer

    documents.purpose_check(purpose)
    if policies.can_sign_document(user, lot, purpose):
        return document_for_signer(actor=user, lot=lot, purpose=purpose)
    public = {"opening_record": masking.visible("bidders", lot, user),
              "evaluation_report": masking.visible("evaluation_ranking", lot, user),
              "award_notice": True,
              "contract": policies.can_publish_lot(user, lot) or getattr(user, "role", None) == Role.SUPERVISOR}
    if not public.get(purpose):
        raise NotAllowed("无权查看该文件")
    return documents.document_of(lot, purpose)


def failure_notice_for(*, lot: Lot) -> Notice | None:
    """The published 流标公告 of a failed lot (opening publishes it under the lot's code), newest first."""
    return notice_list_public(notice_type=NoticeType.FAILURE).filter(project_code=lot.code).first()
