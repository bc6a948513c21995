"""Tendering pages: a workspace per role, the project pages and one lot page whose actions depend on the role and
the stage. Every action is a POST to ``lots/<id>/act/<action>/``; the table ``ACTIONS`` declares, per action, the
rule that may call it and the service it calls, so pages and API share the same doors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from secrets import token_urlsafe
from typing import TYPE_CHECKING

from django.contrib import messages
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from ggzy.accounts.models import User
from ggzy.accounts.roles import Role
from ggzy.accounts.selectors import expert_list_active
from ggzy.centers import selectors as centers_selectors
from ggzy.centers import selectors_ratings as rating_selectors
from ggzy.core import clock
from ggzy.core import files as file_store
from ggzy.core.errors import DomainError, NotFound
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, RoleRequired, Rule, requires, roles
from ggzy.credit import evaluation as credit_evaluation
from ggzy.registry.models import Region
from ggzy.registry.selectors import entity_review_queue

from . import (
    masking,
    policies,
    rules,
    selectors,
    selectors_committee,
    selectors_documents,
    service_ratings,
    services,
)
from . import selectors_workspace as workspace
from .choices import BidState, DocumentKind, LotState, Method, ProcurementObject, ProjectState
from .price_sheet import FINGERPRINT_FIELDS
from .procedures import procedure_for
from .schemas import lot_public
from .selectors_gp_deadlines import announcement_deadlines
from .selectors_hall import hall_audience
from .services import bidding, committee, evaluation, opening, project_documents, result, signatures
from .views_alerts import lot_alerts_context
from .views_credit import lot_screening_context

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise  # what gettext_lazy returns

OWNERS = roles(Role.TENDERER, Role.AGENCY)
STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)
BIDDER = roles(Role.BIDDER)
EXPERT = roles(Role.EXPERT)
MEMBER = roles(Role.EXPERT, Role.TENDERER)  # committee members: experts and the tenderer's representative
OWNERS_OR_STAFF = roles(Role.TENDERER, Role.AGENCY, Role.CENTER_STAFF, Role.ADMIN)


def _error_text(exc: DomainError) -> str:
    parts = [f"{'；'.join(msgs)}" for msgs in exc.errors.values()]
    return "；".join(parts) or exc.message


@requires(AUTHENTICATED)
def workspace_view(request):
    user = request.user
    context: dict = {"role": user.role}
    if user.role in (Role.CENTER_STAFF, Role.ADMIN):
        # The staff's to-do list first (受理, 今日开标, 异议, 主体审核), then everything of the center.
        context["todo"] = {
            "projects": workspace.projects_to_accept(user=user)[:50],
            "openings": workspace.openings_today(user=user),
            "objections": workspace.objections_open(user=user),
            "reviews": entity_review_queue(user=user),
        }
        context["projects"] = selectors.project_list_visible(user=user)[:50]
        context["lots"] = selectors.lots_for_center(user=user).exclude(state=LotState.ARCHIVED)[:50]
    elif user.role == Role.SUPERVISOR:
        objections = workspace.objections_open(user=user)
        context["supervision"] = {
            "openings": workspace.openings_today(user=user),
            "objections": objections,
            "warnings": workspace.warnings_for_supervisor(user=user, objections=objections),
            "lots": workspace.lots_supervised(user=user)[:100],
        }
    elif user.role in (Role.TENDERER, Role.AGENCY):
        context["projects"] = selectors.project_list_visible(user=user).prefetch_related("lots")[:50]
    elif user.role == Role.BIDDER:
        context["open_lots"] = selectors.lot_list_public().filter(state=LotState.PUBLISHED)[:50]
        my_lots = selectors.lots_signed_up(user=user)
        prefetch_related_objects([lot for lot, _ in my_lots], "clarifications")  # listed per lot below
        # The bidder's own unread clarifications per lot (its own 站内消息, so a count is fine for it alone).
        unread = selectors_documents.my_unread_clarification_counts(user=user, lots=[lot for lot, _ in my_lots])
        context["my_lots"] = [(lot, signup, unread.get(lot.pk, 0)) for lot, signup in my_lots]
    elif user.role == Role.EXPERT:
        context["lots"] = selectors.lots_for_expert(user=user)
    return render(request, "tendering/pages/workspace.html", context)


@requires(PUBLIC)
def lot_list_view(request):
    lots = selectors.lot_list_public().order_by("-documents_issued_at")[:100]
    return render(request, "tendering/pages/lot_list.html", {"lots": lots})


@requires(OWNERS)
def project_new_view(request):
    regions = Region.objects.filter(level__in=["city", "county"]).order_by("code")
    from ggzy.registry.models import Center

    centers = Center.objects.order_by("code")
    agencies = _agency_choices() if request.user.role == Role.TENDERER else []
    if request.method == "POST":
        data = request.POST
        chosen = next((a["entity"] for a in agencies if str(a["entity"].pk) == data.get("agency")), None)
        try:
            if data.get("agency") and chosen is None:
                raise DomainError(gettext("所选招标代理机构不存在"), field="agency")
            with transaction.atomic():  # the project and its acceptance documents, or nothing
                project = services.project_register(
                    actor=request.user, agency=chosen, center=centers.filter(code=data.get("center")).first(),
                    region=regions.filter(code=data.get("region")).first(), title=data.get("title", ""),
                    method=data.get("method", ""), estimated_price=data.get("estimated_price", ""),
                    description=data.get("description", ""),
                    lots=[{"name": data.get("lot_name", ""), "estimated_price": data.get("estimated_price", ""),
                           "evaluation_method": data.get("evaluation_method") or None,
                           "procurement_object": data.get("procurement_object") or None,
                           "price_weight": data.get("price_weight") or None}])
                _project_documents_add(request, project, required=False)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, f"项目已登记，统一交易标识码 {project.code}，等待交易中心受理")
            return redirect("tendering:project_detail", project_id=project.pk)
    return render(request, "tendering/pages/project_new.html",
                  {"regions": regions, "centers": centers, "methods": Method.choices, "data": request.POST,
                   "objects": ProcurementObject.choices,
                   "agencies": agencies})


def _agency_choices() -> list[dict]:
    """Agencies a tenderer may entrust, each with its average rating by parties and third parties (V1)."""
    entities = list(rating_selectors.agency_entities()[:500])
    averages = rating_selectors.agency_averages(entity_ids=[e.pk for e in entities])
    try:
        model = credit_evaluation.score_model_in_force()
    except NotFound:
        model = None
    return [{"entity": e, "overall": averages.get(e.pk, {}).get("overall"), "count": averages.get(e.pk, {}).get("count", 0),
             "credit": credit_evaluation.credit_brief(e.credit_code, model=model) if model else None}
            for e in entities]


@requires(AUTHENTICATED)
def project_detail_view(request, project_id: int):
    project = selectors.project_get_visible(user=request.user, project_id=project_id)
    if project is None:
        raise Http404("项目不存在")
    return render(request, "tendering/pages/project_detail.html", {
        "project": project, "lots": project.lots.all(), "can_review": policies.can_review_project(request.user, project),
        "submitted": workspace.project_submitted_documents_visible(user=request.user, project=project),
        "documents": workspace.project_documents_visible(user=request.user, project=project),
        "can_add_documents": project.state in (ProjectState.SUBMITTED, ProjectState.RETURNED)
        and policies.is_project_owner(request.user, project)})


@requires(OWNERS)
@require_POST
def project_documents_add_view(request, project_id: int):
    """The owner adds documents for the acceptance review (all or none)."""
    project = selectors.project_get_visible(user=request.user, project_id=project_id)
    if project is None:
        raise Http404("项目不存在")
    try:
        _project_documents_add(request, project, required=True)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, gettext("受理材料已提交"))
    return redirect("tendering:project_detail", project_id=project.pk)


def _project_documents_add(request, project, *, required: bool) -> None:
    files = request.FILES.getlist("documents")
    if required and not files:
        raise DomainError("请选择要提交的文件", field="documents")
    with transaction.atomic():
        for upload in files:
            project_documents.project_document_add(actor=request.user, project=project, name=upload.name or "",
                                                   content=upload.read())


def _document_download(document) -> StreamingHttpResponse:
    response = StreamingHttpResponse(file_store.iter_chunks(document.sha256), content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, document.name) or "attachment"
    response["Content-Length"] = str(document.size)
    return response


@requires(AUTHENTICATED)
def project_document_view(request, project_id: int, document_id: int):
    """A document submitted with the project (受理材料), for those who may see the project."""
    project = selectors.project_get_visible(user=request.user, project_id=project_id)
    document = (workspace.project_submitted_documents_visible(user=request.user, project=project)
                .filter(pk=document_id).first() if project is not None else None)
    if document is None:
        raise Http404("文件不存在")
    return _document_download(document)


@requires(AUTHENTICATED)
def project_lot_document_view(request, project_id: int, document_id: int):
    """A tender document of one of the project's lots, for those who may see the project."""
    project = selectors.project_get_visible(user=request.user, project_id=project_id)
    document = (workspace.project_documents_visible(user=request.user, project=project).filter(pk=document_id).first()
                if project is not None else None)
    if document is None:
        raise Http404("文件不存在")
    return _document_download(document)


@requires(STAFF)
@require_POST
def project_review_view(request, project_id: int):
    project = selectors.project_get_visible(user=request.user, project_id=project_id)
    if project is None:
        raise Http404("项目不存在")
    try:
        if request.POST.get("decision") == "accept":
            services.project_accept(actor=request.user, project=project)
            messages.success(request, "项目已受理")
        else:
            services.project_return(actor=request.user, project=project, reason=request.POST.get("reason", ""))
            messages.success(request, "项目已退回")
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    return redirect("tendering:project_detail", project_id=project.pk)


STEP_PATH = [LotState.DRAFT, LotState.PUBLISHED, LotState.OPENING, LotState.EVALUATING, LotState.CANDIDATES,
             LotState.AWARDED, LotState.CONTRACTED, LotState.ARCHIVED]  # open tendering's (procedure.main_path)


def _steps(lot) -> list[tuple[str, str]]:
    """The main path with each step done / current / todo. A suspended lot shows where it stopped; a failed lot
    (流标) ends at 流标: the steps after it will not happen, so none is shown as pending."""
    procedure = procedure_for(lot)
    path = list(procedure.main_path)  # each method's own main path, labelled by the method
    label = procedure.state_label
    if lot.state == LotState.FAILED:
        # Failed at the opening (too few bids), or in the evaluation once the opening record exists.
        stage = LotState.EVALUATING if hasattr(lot, "opening_record") else LotState.OPENING
        index = path.index(stage) if stage in path else 1
        return [(str(label(s)), "done") for s in path[:index]] + \
            [(str(label(LotState.FAILED)), "stopped")]
    current = {LotState.SUSPENDED: LotState.CANDIDATES}.get(lot.state, lot.state)
    index = path.index(current)
    steps = [(str(label(s)), "done" if i < index else "current" if i == index else "todo")
             for i, s in enumerate(path)]
    if lot.state == LotState.SUSPENDED:
        steps[index] = (str(label(lot.state)), "stopped")
    return steps


def _failure(lot) -> dict | None:
    """Why a failed lot failed and what follows (the followup is the procedure's, the numbers the template's)."""
    if lot.state != LotState.FAILED:
        return None
    procedure = procedure_for(lot)
    minimum = rules.period_int(lot.project, "bids_to_open_min")
    count = lot.bids.filter(state=BidState.SUBMITTED).count()  # public once the deadline has passed
    # The texts are the procedure's (Chinese, as the 流标公告 prints them), translated for an English page.
    return {"reason": gettext(procedure.failure_reason_text).format(minimum=minimum, count=count),
            "followup": gettext(procedure.failure_followup_text).format(minimum=minimum),
            "retenders": list(lot.retenders.order_by("code")),
            "notice": selectors.failure_notice_for(lot=lot)}


@requires(PUBLIC)
def lot_view(request, lot_id: int):
    user = request.user
    lot = selectors.lot_get_for_user(user=user, lot_id=lot_id)
    if lot is None:
        raise Http404("标段不存在")
    context = {
        "lot": lot, "procedure": procedure_for(lot), "data": lot_public(lot, user), "now": clock.now(), "accepting": lot.state == LotState.PUBLISHED
        and clock.now() < (lot.bid_deadline or clock.now()),
        "is_owner": policies.is_project_owner(user, lot.project), "is_staff": policies.can_publish_lot(user, lot),
        "is_bidder": policies.can_bid(user), "fingerprint_fields": FINGERPRINT_FIELDS,
        "show_committee": masking.visible("committee_names", lot, user), "steps": _steps(lot),
        "failure": _failure(lot),
        "signed_documents": selectors.lot_signatures_visible(user=user, lot=lot),
        "hall_audience": hall_audience(user=user, lot=lot),
    }
    document_rows = selectors_documents.document_rows(user=user, lot=lot)
    context["tender_documents"] = document_rows
    if context["is_staff"] or context["is_owner"]:
        context["current_documents"] = [r.document for r in document_rows if r.is_current]
        context["document_kinds"] = DocumentKind.choices
    if context["is_bidder"]:
        context["my_downloads"] = selectors_documents.my_downloads(user=user, lot=lot)
        context["outdated_versions"] = selectors_documents.my_outdated_versions(user=user, lot=lot)
        context["unread_clarifications"] = selectors_documents.my_unread_clarifications(user=user, lot=lot)
        context["signup"] = services.signup.signup_of(actor=user, lot=lot)
        my_bid = selectors.bid_for_user(user=user, lot=lot)
        context["my_bid"] = my_bid
        # The method's rule on changing a bid once it is in (询价: one quotation, never changed or withdrawn):
        # shown in words, and the change/withdraw controls are hidden once the service would refuse them.
        procedure = procedure_for(lot)
        rule = procedure.bid_change_refusal(has_bid=True)
        context["bid_change_rule"] = gettext(rule) if rule else ""
        has_bid = my_bid is not None and my_bid.state == BidState.SUBMITTED
        context["bid_changes_refused"] = procedure.bid_change_refusal(has_bid=has_bid) is not None
        context["bank_accounts"] = policies.acting_entity(user).bank_accounts.all()
        # one token per rendering of the bid form: the same form sent twice makes one submission
        context["submission_token"] = token_urlsafe(24)
        if context["signup"] is not None:
            context["bond"] = services.bond_status(actor=user, lot=lot)
    if context["is_staff"] or context["is_owner"]:
        context["findings"] = lot.fair_findings.all()
        context["opening_objections"] = lot.opening_objections.select_related("bidder")
        context["result_objections"] = lot.result_objections.all()
        context["experts"] = expert_list_active()
        context["announcement_deadlines"] = announcement_deadlines(lot)
    context["committee_panel"] = selectors_committee.formation_panel(user=user, lot=lot)
    if service_ratings.lot_rating_party(user, lot) is not None:  # 评价交易中心与代理机构 (result final, parties)
        context["service_rating_url"] = reverse("tendering:lot_service_rating", args=[lot.pk])
    remote = centers_selectors.session_for_subject(evaluation.remote_subject(lot))
    context["remote"] = remote
    if context["is_staff"] and remote is None and lot.state in (LotState.OPENING, LotState.EVALUATING):
        context["remote_offer"] = True
        context["remote_venues"] = centers_selectors.venues_of_center(lot.project.center_id).filter(is_active=True)
        context["remote_guest_venues"] = centers_selectors.venue_directory().exclude(
            center_id=lot.project.center_id)
    if user.is_authenticated and user.role in (Role.EXPERT, Role.TENDERER):  # experts and the tenderer's rep
        context["recusal_desk"] = selectors_committee.recusal_desk(user=user, lot=lot)
        member = lot.committee.filter(user=user).first()
        context["member"] = member
        if member is not None:
            context["alerts"] = lot_alerts_context(user=user, lot=lot)
            context["screenings"] = lot_screening_context(user=user, lot=lot)  # GP: the three national lists
            scores = {s.bid_id: s for s in member.scores.all()}
            context["desk"] = [(b, scores.get(b.pk)) for b in lot.bids.filter(state="opened").select_related("bidder")]
            report = getattr(lot, "evaluation_report", None)
            context["signed"] = report is not None and report.signatures.filter(member=member).exists()
            if remote is not None:
                context["remote_workstation"] = centers_selectors.workstation_in_session(
                    session=remote, user=user, fingerprint=centers_selectors.presented_fingerprint(request))
    return render(request, "tendering/pages/lot.html", context)


@dataclass(frozen=True)
class Action:
    rule: Rule
    run: Callable
    done: str | StrPromise  # plain, or marked for translation


def _dt(value: str, field: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise DomainError("时间格式不正确", field=field) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _committee(request, lot):
    # Direct appointment (实施条例 第四十七条): each chosen expert's seat comes from the form (technical unless marked
    # economic); the first chosen chairs; the reason is required by the service.
    usernames = request.POST.getlist("experts")
    seats = [(name, request.POST.get(f"seat_{name}", "expert_technical")) for name in usernames]
    committee.committee_appoint_direct_by_usernames(actor=request.user, lot=lot, seats=seats,
                                                    reason=request.POST.get("reason", ""),
                                                    chair_username=usernames[0] if usernames else None)


def _committee_draw(request, lot):
    # needs as rows of the form: need_code_N, need_count_N, need_kind_N
    needs = []
    for index in range(8):
        code = request.POST.get(f"need_code_{index}", "").strip()
        if code:
            needs.append((code, request.POST.get(f"need_count_{index}", ""), request.POST.get(f"need_kind_{index}")))
    scheduled = request.POST.get("scheduled_at", "").strip()
    rep = None
    if request.POST.get("tenderer_rep", "").strip():
        rep = User.objects.filter(username=request.POST["tenderer_rep"].strip()).first()
        if rep is None:
            raise DomainError("招标人代表的用户不存在", field="tenderer_rep")

    def regions(name):
        return [r.strip() for r in request.POST.get(name, "").replace("，", ",").split(",") if r.strip()]

    committee.committee_draw_request(actor=request.user, lot=lot, needs=needs, size=request.POST.get("size") or None,
                                     regions_include=regions("regions_include"),
                                     regions_exclude=regions("regions_exclude"),
                                     scheduled_at=_dt(scheduled, "scheduled_at") if scheduled else None,
                                     tenderer_rep=rep)


def _recusal(request, lot):
    committee.recusal_declare(actor=request.user, lot=lot, confirm=request.POST.get("confirm") == "on",
                              recuse=request.POST.get("decision") == "recuse", reason=request.POST.get("reason", ""),
                              certificate_pem=request.POST.get("certificate", ""),
                              signature=request.POST.get("signature", ""))


def _bid(request, lot):
    files = [bidding.IncomingFile(name=f.name, chunks=f.chunks()) for f in request.FILES.getlist("files")]
    sheet: dict[str, object] = {"total_price": request.POST.get("total_price", ""),
                                "quality": request.POST.get("quality", "")}
    if request.POST.get("duration_days"):
        raw = request.POST["duration_days"].strip()
        # a non-number is passed on as text, so the price sheet's check names it with every other missing part
        sheet["duration_days"] = int(raw) if raw.isdigit() else raw
    if request.POST.get("brand", "").strip():
        sheet["brand"] = request.POST["brand"]
    if request.POST.get("sme") == "on":
        sheet["sme"] = True
    prints = {"public_ip": request.META.get("REMOTE_ADDR", "")}
    prints.update({k: request.POST[f"fp_{k}"] for k in FINGERPRINT_FIELDS if request.POST.get(f"fp_{k}")})
    bidding.bid_submit(actor=request.user, lot=lot, files=files, price_sheet=sheet, fingerprint=prints,
                       submission_token=request.POST.get("submission_token", ""))


def _score(request, lot):
    for bid in lot.bids.filter(state="opened"):
        evaluation.score_submit(actor=request.user, bid=bid, technical=request.POST.get(f"technical_{bid.pk}", "0"),
                                commercial=request.POST.get(f"commercial_{bid.pk}", "0"),
                                is_qualified=request.POST.get(f"qualified_{bid.pk}") == "on",
                                device=centers_selectors.presented_fingerprint(request))


def _remote(request, lot):
    host = centers_selectors.venue_get(request.POST.get("host_venue", ""))
    guest = centers_selectors.venue_get(request.POST.get("guest_venue", "")) if request.POST.get("guest_venue") else None
    evaluation.remote_session_open(actor=request.user, lot=lot, host_venue=host, seats=request.POST.get("seats", ""),
                                   guest_venue=guest, guest_seats=request.POST.get("guest_seats", "1"))


def _answer_opening(request, lot):
    objection = lot.opening_objections.filter(pk=request.POST.get("objection")).first()
    if objection is None:
        raise DomainError("异议不存在", field="objection")
    opening.opening_objection_answer(actor=request.user, objection=objection, answer=request.POST.get("answer", ""))


def _answer_result(request, lot):
    objection = lot.result_objections.filter(pk=request.POST.get("objection")).first()
    if objection is None:
        raise DomainError("异议不存在", field="objection")
    result.result_objection_answer(actor=request.user, objection=objection, answer=request.POST.get("answer", ""))


def _contract(request, lot):
    upload = request.FILES.get("file")
    try:
        signed_on = dt.date.fromisoformat(request.POST.get("signed_on", ""))
    except ValueError:
        raise DomainError("日期格式应为 YYYY-MM-DD", field="signed_on") from None
    result.contract_record(actor=request.user, lot=lot, amount=request.POST.get("amount", ""), signed_on=signed_on,
                           content=upload.read() if upload else b"")


def _document(request, lot):
    upload = request.FILES.get("file")
    if upload is None:
        raise DomainError("请选择文件", field="file")
    if upload.size > services.tender_documents.DOCUMENT_MAX_BYTES:
        raise DomainError("文件超过100MB", field="file")
    services.lot_document_add(actor=request.user, lot=lot, name=upload.name, content=upload.read(),
                              kind=request.POST.get("kind") or "tender", supersedes_id=_int_or_none(
                                  request.POST.get("supersedes"), "supersedes"))


def _int_or_none(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise DomainError("取值无效", field=field) from None


def _clarifications_read(request, lot):
    from ggzy.accounts.services import notifications_mark_read

    notifications_mark_read(user=request.user, link_prefix=selectors_documents.clarification_link_prefix(lot))


def _sign_document(request, lot):
    upload = request.FILES.get("signature")
    if upload is None:
        raise DomainError("请选择签名文件（.p7s）", field="signature")
    signatures.document_sign(actor=request.user, lot=lot, purpose=request.POST.get("purpose", ""),
                             signature_der=upload.read(signatures.MAX_SIGNATURE_BYTES + 1))


ACTIONS: dict[str, Action] = {
    "document": Action(OWNERS_OR_STAFF, _document, gettext_lazy("文件已上传（发布或随下一次澄清发布后投标人可下载）")),
    "clarifications_read": Action(BIDDER, _clarifications_read, gettext_lazy("已标为已读")),
    "schedule": Action(OWNERS, lambda r, lot: services.lot_schedule(
        actor=r.user, lot=lot, notice_text=r.POST.get("notice_text", ""),
        documents_sale_end=_dt(r.POST.get("documents_sale_end"), "documents_sale_end"),
        bid_deadline=_dt(r.POST.get("bid_deadline"), "bid_deadline"), bond_amount=r.POST.get("bond_amount") or 0),
        "公告与时间安排已保存，公平竞争审查已完成"),
    "acknowledge": Action(STAFF, lambda r, lot: services.fair_findings_acknowledge(actor=r.user, lot=lot),
                          "审查发现已确认"),
    "publish": Action(STAFF, lambda r, lot: services.lot_publish(actor=r.user, lot=lot), "招标公告已发布"),
    "clarify": Action(OWNERS_OR_STAFF, lambda r, lot: services.lot_clarify(
        actor=r.user, lot=lot, text=r.POST.get("text", "")), "澄清已发布"),
    "signup": Action(BIDDER, lambda r, lot: services.signup_create(actor=r.user, lot=lot), "报名成功"),
    "guarantee": Action(BIDDER, lambda r, lot: services.bond_guarantee_submit(
        actor=r.user, lot=lot, number=r.POST.get("guarantee_number", "")), "电子保函已核验，可作为投标保证金"),
    "bid": Action(BIDDER, _bid, "投标文件已加密递交"),
    "withdraw": Action(BIDDER, lambda r, lot: bidding.bid_withdraw(actor=r.user, lot=lot), "投标已撤回"),
    "open": Action(STAFF, lambda r, lot: opening.lot_open(actor=r.user, lot=lot), "已开标"),
    "decrypt": Action(STAFF, lambda r, lot: opening.opening_decrypt_all(actor=r.user, lot=lot), "解密完成"),
    "record": Action(STAFF, lambda r, lot: opening.opening_record_publish(actor=r.user, lot=lot), "开标记录已公布"),
    "opening_objection": Action(BIDDER, lambda r, lot: opening.opening_objection_raise(
        actor=r.user, lot=lot, text=r.POST.get("text", "")), "异议已提交"),
    "opening_answer": Action(OWNERS_OR_STAFF, _answer_opening, "异议已答复"),
    "close_opening": Action(STAFF, lambda r, lot: opening.opening_close(actor=r.user, lot=lot), "开标结束，进入评标"),
    "retender": Action(OWNERS_OR_STAFF, lambda r, lot: opening.lot_retender(actor=r.user, lot=lot),
                       "已创建重新招标标段"),
    "committee": Action(OWNERS_OR_STAFF, _committee, gettext_lazy("评标委员会成员已直接确定，理由已记录")),
    "committee_draw": Action(STAFF, _committee_draw, gettext_lazy("已向专家库申请随机抽取")),
    "committee_form": Action(STAFF, lambda r, lot: committee.committee_form_from_draw(actor=r.user, lot=lot),
                             gettext_lazy("评标委员会已由抽取的专家组建")),
    "recusal": Action(MEMBER, _recusal, gettext_lazy("回避声明已签署")),
    "score": Action(MEMBER, _score, "评分已保存"),
    "report": Action(roles(Role.EXPERT, Role.CENTER_STAFF, Role.ADMIN),
                     lambda r, lot: evaluation.report_generate(
                         actor=r.user, lot=lot, device=centers_selectors.presented_fingerprint(r)), "评标报告已生成"),
    "sign": Action(MEMBER, lambda r, lot: evaluation.report_sign(
        actor=r.user, lot=lot, dissent=r.POST.get("dissent", ""),
        device=centers_selectors.presented_fingerprint(r)), "已签署"),
    "remote": Action(STAFF, _remote, "远程异地评标已创建"),
    "candidates": Action(OWNERS_OR_STAFF, lambda r, lot: result.candidates_publish(actor=r.user, lot=lot),
                         "中标候选人已公示"),
    "objection": Action(BIDDER, lambda r, lot: result.result_objection_raise(
        actor=r.user, lot=lot, text=r.POST.get("text", "")), "异议已提交，程序暂停"),
    "objection_answer": Action(OWNERS_OR_STAFF, _answer_result, "异议已答复"),
    "award": Action(OWNERS_OR_STAFF, lambda r, lot: result.award_issue(actor=r.user, lot=lot), "中标通知书已发出"),
    "contract": Action(OWNERS_OR_STAFF, _contract, "合同已备案"),
    "contract_notice": Action(OWNERS_OR_STAFF, lambda r, lot: result.contract_notice_publish(actor=r.user, lot=lot),
                              "合同公告已发布"),
    "archive": Action(STAFF, lambda r, lot: result.archive_build(actor=r.user, lot=lot), "已归档"),
    "sign_document": Action(AUTHENTICATED, _sign_document, "电子签名已验证并登记"),
}


@requires(AUTHENTICATED)
@require_POST
def lot_action_view(request, lot_id: int, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("未知操作")
    if not spec.rule.allows(request.user):
        raise RoleRequired(spec.rule)
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404("标段不存在")
    try:
        outcome = spec.run(request, lot)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, spec.done)
        if action == "retender" and outcome is not None:
            return redirect("tendering:lot", lot_id=outcome.pk)
    if request.POST.get("back") == "hall":  # acted from the opening hall: go back there
        return redirect("tendering:lot_hall", lot_id=lot.pk)
    if request.headers.get("HX-Request"):  # an htmx upload (progress bar): the browser then loads the lot page
        response = HttpResponse(status=200)
        response["HX-Redirect"] = reverse("tendering:lot", kwargs={"lot_id": lot.pk})
        return response
    return redirect("tendering:lot", lot_id=lot.pk)


