"""Tendering API: every step of the procedure, for the role that acts (the pages call the same services)."""

import datetime as dt
import hashlib

from django.http import Http404
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from ggzy.accounts.models import User
from ggzy.accounts.roles import Role
from ggzy.core.api_errors import ACTION, LOOKUP, ObjectId, answers, column_limit
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.jsontext import strict_json_loads
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires, roles
from ggzy.registry.models import Center, MarketEntity, Region

from . import policies, selectors, selectors_committee, selectors_documents, services
from . import selectors_workspace as workspace
from .models import Bid, OpeningObjection, ProcurementIntention, ResultObjection, TenderDocument
from .schemas import (
    AnswerIn,
    BidReceiptOut,
    ClarifyIn,
    CommitteeDrawIn,
    CommitteeIn,
    FindingOut,
    MyBidOut,
    ProjectIn,
    ProjectOut,
    ReasonIn,
    RecusalIn,
    RecusalStatementIn,
    ScheduleIn,
    ScoreIn,
    SignIn,
    TextIn,
    lot_public,
)
from .selectors_gp_deadlines import announcement_deadlines
from .services import (
    bidding,
    committee,
    evaluation,
    opening,
    project_documents,
    receipt,
    result,
    tender_documents,
)
from .services import intention as intentions
from .services import recusal as recusal_service
from .views_receipt import receipt_pdf_response

router = Router()
OWNERS = roles(Role.TENDERER, Role.AGENCY)
STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)
BIDDER = roles(Role.BIDDER)
EXPERT = roles(Role.EXPERT)
MEMBER = roles(Role.EXPERT, Role.TENDERER)  # committee members: experts and the tenderer's representative
OWNERS_OR_STAFF = roles(Role.TENDERER, Role.AGENCY, Role.CENTER_STAFF, Role.ADMIN)


def _lot(request, lot_id: ObjectId):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404
    return lot


def _project(request, project_id: ObjectId):
    project = selectors.project_get_visible(user=request.user, project_id=project_id)
    if project is None:
        raise Http404
    return project


# --- 1. projects ---------------------------------------------------------------------------------------------
@router.post("/projects", response=answers(ProjectOut, 400, 401, 403, 409, status=201),
             summary="登记招标项目（招标人/代理机构）")
@requires(OWNERS)
def project_register(request, payload: ProjectIn):
    center = Center.objects.filter(code=payload.center_code).first()
    region = Region.objects.filter(code=payload.region_code).first()
    if center is None:
        raise DomainError("交易中心代码不存在", field="center_code")
    if region is None:
        raise DomainError("行政区划代码不存在", field="region_code")
    tenderer = None
    if payload.tenderer_credit_code:
        tenderer = MarketEntity.objects.filter(credit_code=payload.tenderer_credit_code).first()
        if tenderer is None:
            raise DomainError("招标人统一社会信用代码未登记", field="tenderer_credit_code")
    project = services.project_register(
        actor=request.user, center=center, region=region, title=payload.title, method=payload.method,
        estimated_price=payload.estimated_price, description=payload.description, tenderer=tenderer,
        lots=[lot.dict() for lot in payload.lots])
    return Status(201, ProjectOut.build(project))


@router.get("/projects", response=answers(list[ProjectOut], 401), summary="我可见的项目")
@requires(AUTHENTICATED)
def project_list(request):
    return [ProjectOut.build(p) for p in selectors.project_list_visible(user=request.user).prefetch_related("lots")[:200]]


@router.get("/projects/{project_id}", response=answers(ProjectOut, 400, 401, 404), summary="项目详情")
@requires(AUTHENTICATED)
def project_detail(request, project_id: ObjectId):
    return ProjectOut.build(_project(request, project_id))


@router.post("/projects/{project_id}/accept", response=answers(ProjectOut, *ACTION), summary="受理项目（交易中心）")
@requires(STAFF)
def project_accept(request, project_id: ObjectId):
    return ProjectOut.build(services.project_accept(actor=request.user, project=_project(request, project_id)))


@router.post("/projects/{project_id}/return", response=answers(ProjectOut, *ACTION), summary="退回项目（交易中心）")
@requires(STAFF)
def project_return(request, project_id: ObjectId, payload: ReasonIn):
    project = services.project_return(actor=request.user, project=_project(request, project_id),
                                      reason=payload.reason)
    return ProjectOut.build(project)


@router.post("/projects/{project_id}/documents", response=answers(dict, *ACTION, status=201),
             summary="提交受理材料（招标人/代理机构，受理前）")
@requires(OWNERS)
def project_document_add(request, project_id: ObjectId, file: File[UploadedFile]):
    document = project_documents.project_document_add(actor=request.user, project=_project(request, project_id),
                                                      name=file.name or "", content=file.read())
    return Status(201, {"id": document.pk, "name": document.name, "sha256": document.sha256, "size": document.size})


@router.get("/projects/{project_id}/documents", response=answers(list[dict], 400, 401, 404),
            summary="项目受理材料（名称、大小、SHA-256）")
@requires(AUTHENTICATED)
def project_document_list(request, project_id: ObjectId):
    project = _project(request, project_id)
    return [{"id": d.pk, "name": d.name, "size": d.size, "sha256": d.sha256, "uploaded_at": d.uploaded_at}
            for d in workspace.project_submitted_documents_visible(user=request.user, project=project)]


# --- 2. documents, notice, clarifications ------------------------------------------------------------------
@router.get("/lots", response=answers(list[dict]), summary="标段列表（公开）")
@requires(PUBLIC)
def lot_list(request):
    return [{"id": lot.pk, "code": lot.code, "name": lot.name, "project": lot.project.title,
             "center": lot.project.center.name, "state": lot.state, "bid_deadline": lot.bid_deadline}
            for lot in selectors.lot_list_public()[:200]]


@router.get("/lots/{lot_id}", response=answers(dict, 400, 404), summary="标段详情（按角色与阶段遮蔽）")
@requires(PUBLIC)
def lot_detail(request, lot_id: ObjectId):
    return lot_public(_lot(request, lot_id), request.user)


@router.post("/lots/{lot_id}/documents", response=answers(dict, *ACTION, status=201),
             summary="上传招标文件（招标人/代理机构/交易中心；发布后上传的随下一次澄清发布）")
@requires(OWNERS_OR_STAFF)
def lot_document_add(request, lot_id: ObjectId, file: File[UploadedFile], kind: Form[str] = "tender",
                     supersedes: Form[ObjectId | None] = None):
    limit = column_limit(TenderDocument, "name")
    if len(file.name or "") > limit:  # Django cuts upload names at 255 characters; the column holds fewer
        raise DomainError(f"文件名不能超过 {limit} 个字符", field="file")
    if (file.size or 0) > tender_documents.DOCUMENT_MAX_BYTES:
        raise DomainError("文件超过100MB", field="file")
    document = services.lot_document_add(actor=request.user, lot=_lot(request, lot_id), name=file.name or "",
                                         content=file.read(), kind=kind, supersedes_id=supersedes)
    return Status(201, _document_out(document, is_current=True, can_download=False))


def _document_out(d, *, is_current: bool, can_download: bool) -> dict:
    return {"id": d.pk, "name": d.name, "kind": d.kind, "version": d.version, "is_current": is_current,
            "supersedes": d.supersedes_id, "size": d.size, "sha256": d.sha256, "published_at": d.published_at,
            "download_url": f"/api/v1/tendering/lots/{d.lot_id}/tender-documents/{d.pk}/content" if can_download else None}


@router.get("/lots/{lot_id}/documents", response=answers(list[dict], *LOOKUP),
            summary="招标文件清单：类别、版本、大小、SHA-256、发布时间（报名后可下载）")
@requires(PUBLIC)
def documents(request, lot_id: ObjectId):
    rows = selectors_documents.document_rows(user=request.user, lot=_lot(request, lot_id))
    return [_document_out(r.document, is_current=r.is_current, can_download=r.can_download) for r in rows]


@router.get("/lots/{lot_id}/tender-documents/{document_id}/content", response=answers(None, *ACTION),
            summary="下载招标文件（已报名投标人；核验 SHA-256，下载记录加密保存）")
@requires(PUBLIC)
def document_content(request, lot_id: ObjectId, document_id: ObjectId):
    from .views_documents import streaming_response

    stream = services.document_download(actor=request.user, lot=_lot(request, lot_id), document_id=document_id)
    return streaming_response(stream)


@router.get("/lots/{lot_id}/tender-documents/downloads", response=answers(list[dict], *LOOKUP),
            summary="我的下载记录（仅本人可见）")
@requires(BIDDER)
def my_document_downloads(request, lot_id: ObjectId):
    lot = _lot(request, lot_id)
    outdated = {old.pk: new for old, new in selectors_documents.my_outdated_versions(user=request.user, lot=lot)}
    return [{"document": d.document_id, "name": d.document.name, "version": d.document.version,
             "sha256": d.document.sha256, "downloaded_at": d.downloaded_at,
             "current_version": outdated[d.document_id].version if d.document_id in outdated else d.document.version}
            for d in selectors_documents.my_downloads(user=request.user, lot=lot)]


@router.post("/lots/{lot_id}/schedule", response=answers(list[FindingOut], *ACTION),
             summary="编制公告与时间安排（触发公平竞争审查）")
@requires(OWNERS)
def lot_schedule(request, lot_id: ObjectId, payload: ScheduleIn):
    findings = services.lot_schedule(actor=request.user, lot=_lot(request, lot_id), **payload.dict())
    return [FindingOut(kind=f.kind, excerpt=f.excerpt, explanation=f.explanation, acknowledged=False)
            for f in findings]


@router.get("/lots/{lot_id}/fair-review", response=answers(list[FindingOut], *LOOKUP),
            summary="公平竞争审查发现（交易中心）")
@requires(OWNERS_OR_STAFF)
def fair_review(request, lot_id: ObjectId):
    lot = _lot(request, lot_id)
    return [FindingOut(kind=f.kind, excerpt=f.excerpt, explanation=f.explanation,
                       acknowledged=f.acknowledged_by_id is not None) for f in lot.fair_findings.all()]


@router.post("/lots/{lot_id}/fair-review/acknowledge", response=answers(dict, *ACTION),
             summary="确认公平竞争审查发现（交易中心）")
@requires(STAFF)
def fair_review_acknowledge(request, lot_id: ObjectId):
    return {"acknowledged": services.fair_findings_acknowledge(actor=request.user, lot=_lot(request, lot_id))}


@router.post("/lots/{lot_id}/publish", response=answers(dict, *ACTION), summary="发布招标公告（交易中心）")
@requires(STAFF)
def lot_publish(request, lot_id: ObjectId):
    lot = services.lot_publish(actor=request.user, lot=_lot(request, lot_id))
    return lot_public(lot, request.user)


@router.post("/lots/{lot_id}/clarifications", response=answers(dict, *ACTION), summary="澄清或修改（不足15日自动顺延截止时间）")
@requires(OWNERS_OR_STAFF)
def lot_clarify(request, lot_id: ObjectId, payload: ClarifyIn):
    c = services.lot_clarify(actor=request.user, lot=_lot(request, lot_id), text=payload.text,
                             new_deadline=payload.new_deadline)
    # No count of bidders told: who signed up or downloaded is sealed until the opening.
    return {"id": c.pk, "old_deadline": c.old_deadline, "new_deadline": c.new_deadline,
            "documents": [d.pk for d in c.documents.all()]}


# --- 3. sign-up and bonds -------------------------------------------------------------------------------------
@router.post("/lots/{lot_id}/signup", response=answers(dict, *ACTION, status=201), summary="投标报名（投标人）")
@requires(BIDDER)
def signup(request, lot_id: ObjectId):
    s = services.signup_create(actor=request.user, lot=_lot(request, lot_id))
    return Status(201, {"signed_up_at": s.signed_up_at})




# --- 4. sealed bids --------------------------------------------------------------------------------------------
def _json_field(raw: str, field: str):
    try:
        return strict_json_loads(raw) if raw else None
    except ValueError as exc:
        raise DomainError(f"JSON 格式不正确：{exc}", field=field) from None


@router.post("/lots/{lot_id}/bid", response=answers(MyBidOut, *ACTION, status=201),
             summary="递交或修改密封投标文件（投标人）")
@requires(BIDDER)
def bid_submit(request, lot_id: ObjectId, price_sheet: Form[str] = "", fingerprint: Form[str] = "",
               submission_token: Form[str] = "",
               files: File[list[UploadedFile]] = None):  # type: ignore[assignment]  # ninja: optional upload list
    """Every missing or wrong part is named at once in ``errors``. The same ``Idempotency-Key`` header (or
    ``submission_token`` field) sent again answers with the bid already stored, not a second modification."""
    incoming = [bidding.IncomingFile(name=f.name or "", chunks=f.chunks()) for f in (files or [])]
    token = request.headers.get("Idempotency-Key") or submission_token
    bid = bidding.bid_submit(actor=request.user, lot=_lot(request, lot_id), files=incoming,
                             price_sheet=_json_field(price_sheet, "price_sheet"),
                             fingerprint=_json_field(fingerprint, "fingerprint"), submission_token=token)
    return Status(201, _my_bid(bid))


def _my_bid(bid: Bid) -> MyBidOut:
    return MyBidOut(lot_id=bid.lot_id, state=bid.state, arrived_at=bid.arrived_at, modified_count=bid.modified_count,
                    files=[{"sha256": f.plaintext_sha256, "size": f.size} for f in bid.files.all()])


@router.get("/lots/{lot_id}/my-bid", response=answers(MyBidOut, *LOOKUP), summary="我的投标（仅本投标人可见）")
@requires(BIDDER)
def my_bid(request, lot_id: ObjectId):
    bid = selectors.bid_for_user(user=request.user, lot=_lot(request, lot_id))
    if bid is None:
        raise Http404
    return _my_bid(bid)


@router.get("/lots/{lot_id}/my-bid/receipt", response=answers(BidReceiptOut, *LOOKUP),
            summary="我的投标存证回执（密封记录的内容与盐值、包含证明、检查点；仅本投标人可见）")
@requires(BIDDER)
def my_bid_receipt(request, lot_id: ObjectId):
    return bidding.bid_receipt(actor=request.user, lot=_lot(request, lot_id))


@router.get("/lots/{lot_id}/my-bid/receipt.pdf", response=answers(None, *LOOKUP, 409),
            summary="下载投标回执（PDF，平台电子签章，附机器可读回执与存证包含证明；仅本投标人可见）")
@requires(BIDDER)
def my_bid_receipt_pdf(request, lot_id: ObjectId):
    name, pdf = receipt.bid_receipt_pdf(actor=request.user, lot=_lot(request, lot_id))
    return receipt_pdf_response(name, pdf)


@router.post("/lots/{lot_id}/bid/withdraw", response=answers(MyBidOut, *ACTION), summary="撤回投标（截止前）")
@requires(BIDDER)
def bid_withdraw(request, lot_id: ObjectId):
    return _my_bid(bidding.bid_withdraw(actor=request.user, lot=_lot(request, lot_id)))


# --- 5. opening ----------------------------------------------------------------------------------------------
@router.post("/lots/{lot_id}/open", response=answers(dict, *ACTION), summary="开标（交易中心；调度器亦自动执行）")
@requires(STAFF)
def lot_open(request, lot_id: ObjectId):
    return lot_public(opening.lot_open(actor=request.user, lot=_lot(request, lot_id)), request.user)


@router.post("/lots/{lot_id}/decrypt", response=answers(dict, *ACTION), summary="解密全部投标文件（交易中心）")
@requires(STAFF)
def decrypt_all(request, lot_id: ObjectId):
    bids = opening.opening_decrypt_all(actor=request.user, lot=_lot(request, lot_id))
    return {"decrypted": sum(1 for b in bids if b.state == "opened"), "failed": sum(1 for b in bids if b.state != "opened")}


@router.post("/lots/{lot_id}/opening-record", response=answers(dict, *ACTION), summary="公布开标记录（交易中心）")
@requires(STAFF)
def opening_record(request, lot_id: ObjectId):
    record = opening.opening_record_publish(actor=request.user, lot=_lot(request, lot_id))
    return {"rows": record.rows, "sha256": record.sha256}


@router.post("/lots/{lot_id}/opening-objections", response=answers(dict, *ACTION, status=201),
             summary="开标异议（投标人）")
@requires(BIDDER)
def opening_objection(request, lot_id: ObjectId, payload: TextIn):
    o = opening.opening_objection_raise(actor=request.user, lot=_lot(request, lot_id), text=payload.text)
    return Status(201, {"id": o.pk})


@router.post("/opening-objections/{objection_id}/answer", response=answers(dict, *ACTION), summary="答复开标异议")
@requires(OWNERS_OR_STAFF)
def opening_objection_answer(request, objection_id: ObjectId, payload: AnswerIn):
    objection = OpeningObjection.objects.select_related("lot__project__center").filter(pk=objection_id).first()
    if objection is None:
        raise Http404
    o = opening.opening_objection_answer(actor=request.user, objection=objection, answer=payload.answer)
    return {"id": o.pk, "state": o.state}


@router.post("/lots/{lot_id}/close-opening", response=answers(dict, *ACTION), summary="结束开标，进入评标（交易中心）")
@requires(STAFF)
def close_opening(request, lot_id: ObjectId):
    return lot_public(opening.opening_close(actor=request.user, lot=_lot(request, lot_id)), request.user)


@router.post("/lots/{lot_id}/retender", response=answers(dict, *ACTION, status=201), summary="流标后重新招标")
@requires(OWNERS_OR_STAFF)
def retender(request, lot_id: ObjectId):
    new = opening.lot_retender(actor=request.user, lot=_lot(request, lot_id))
    return Status(201, {"id": new.pk, "code": new.code})


# --- 6. evaluation --------------------------------------------------------------------------------------------
@router.post("/lots/{lot_id}/committee", response=answers(dict, *ACTION, status=201),
             summary="直接确定评标委员会成员（须说明实施条例第四十七条的理由；交易中心或招标人）")
@requires(OWNERS_OR_STAFF)
def committee_direct(request, lot_id: ObjectId, payload: CommitteeIn):
    rows = committee.committee_appoint_direct_by_usernames(
        actor=request.user, lot=_lot(request, lot_id), seats=[(m.username, m.seat) for m in payload.members],
        chair_username=payload.chair, reason=payload.reason)
    return Status(201, {"members": len(rows)})


@router.get("/lots/{lot_id}/committee/formation", response=answers(dict, *LOOKUP),
            summary="评标委员会组建方式与直接确定理由（交易中心、监督部门、招标人；不含成员姓名）")
@requires(roles(Role.TENDERER, Role.AGENCY, Role.CENTER_STAFF, Role.ADMIN, Role.SUPERVISOR))
def committee_formation(request, lot_id: ObjectId):
    panel = selectors_committee.formation_panel(user=request.user, lot=_lot(request, lot_id))
    if panel is None:
        raise NotAllowed("只有本中心工作人员、监督部门或本项目招标人可以查看评标委员会组建记录")
    return {"method": panel.method, "size": panel.size, "seats": panel.seats, "declared": panel.declared,
            "recused": panel.recused, "needs": panel.needs,
            "appointments": [{"at": a.at, "by": a.by, "reason": a.reason, "members": a.count}
                             for a in panel.appointments]}


@router.post("/lots/{lot_id}/committee/draw", response=answers(dict, *ACTION, status=201),
             summary="申请随机抽取评标专家（交易中心）")
@requires(STAFF)
def committee_draw(request, lot_id: ObjectId, payload: CommitteeDrawIn):
    lot = _lot(request, lot_id)
    rep = None
    if payload.tenderer_rep:
        rep = User.objects.filter(username=payload.tenderer_rep).first()
        if rep is None:
            raise DomainError(f"用户不存在：{payload.tenderer_rep}", field="tenderer_rep")
    supervising = list(MarketEntity.objects.filter(credit_code__in=payload.supervising_credit_codes)
                       .values_list("pk", flat=True))
    if len(supervising) != len(set(payload.supervising_credit_codes)):
        raise DomainError("行政监督部门的统一社会信用代码未登记", field="supervising_credit_codes")
    formation = committee.committee_draw_request(
        actor=request.user, lot=lot, needs=[(n.code, n.count, n.kind) for n in payload.needs], size=payload.size,
        regions_include=payload.regions_include, regions_exclude=payload.regions_exclude,
        scheduled_at=payload.scheduled_at, tenderer_rep=rep, supervising_entity_ids=supervising)
    return Status(201, {"size": formation.size, "draw_request": formation.draw_request_id})


@router.post("/lots/{lot_id}/committee/form", response=answers(dict, *ACTION, status=201),
             summary="以确认参加的抽取专家组建（或补足）评标委员会（交易中心）")
@requires(STAFF)
def committee_form(request, lot_id: ObjectId):
    rows = committee.committee_form_from_draw(actor=request.user, lot=_lot(request, lot_id))
    return Status(201, {"members": len(rows)})


@router.post("/lots/{lot_id}/recusal", response=answers(dict, *ACTION, status=201),
             summary="签署回避声明或申请回避（评标委员会成员）")
@requires(MEMBER)
def recusal(request, lot_id: ObjectId, payload: RecusalIn):
    d = committee.recusal_declare(actor=request.user, lot=_lot(request, lot_id), confirm=payload.confirm,
                                  recuse=payload.recuse, reason=payload.reason, signature=payload.signature,
                                  certificate_pem=payload.certificate)
    return Status(201, {"recused": d.recused, "statement_sha256": d.statement_sha256,
                        "certificate": d.certificate_fingerprint})


@router.post("/lots/{lot_id}/recusal/statement", response=answers(dict, *ACTION),
             summary="回避声明的签名原文（评标委员会成员；选择与理由在请求体中，签名后提交至 …/recusal）")
@requires(MEMBER)
def recusal_statement(request, lot_id: ObjectId, payload: RecusalStatementIn):
    # the decision and the reason travel in the body, never in the URL (no reason in access logs or history)
    text = recusal_service.recusal_statement_for(actor=request.user, lot=_lot(request, lot_id),
                                                 recuse=payload.recuse, reason=payload.reason)
    return {"statement": text, "sha256": hashlib.sha256(text.encode()).hexdigest()}


@router.get("/lots/{lot_id}/evaluation", response=answers(list[dict], *LOOKUP), summary="评标工作台（评标委员会成员）")
@requires(MEMBER)
def evaluation_desk(request, lot_id: ObjectId):
    lot = _lot(request, lot_id)
    evaluation._member(request.user, lot)
    return [{"bid_id": b.pk, "bidder": b.bidder.name, "price": str(b.price), "price_sheet": b.price_sheet}
            for b in lot.bids.filter(state="opened").select_related("bidder")]


@router.post("/lots/{lot_id}/scores", response=answers(dict, *ACTION), summary="评分（评标委员会成员）")
@requires(MEMBER)
def score(request, lot_id: ObjectId, payload: ScoreIn):
    lot = _lot(request, lot_id)
    bid = lot.bids.filter(pk=payload.bid_id).first()
    if bid is None:
        raise DomainError("投标不存在", field="bid_id")
    s = evaluation.score_submit(actor=request.user, bid=bid, technical=payload.technical,
                                commercial=payload.commercial, is_qualified=payload.is_qualified,
                                comment=payload.comment)
    return {"technical": str(s.technical), "commercial": str(s.commercial)}


@router.post("/lots/{lot_id}/report", response=answers(dict, *ACTION), summary="生成评标报告（主任委员/交易中心）")
@requires(roles(Role.EXPERT, Role.CENTER_STAFF, Role.ADMIN))
def report(request, lot_id: ObjectId):
    r = evaluation.report_generate(actor=request.user, lot=_lot(request, lot_id))
    return {"ranking": r.ranking, "sha256": r.content_sha256}


@router.post("/lots/{lot_id}/report/sign", response=answers(dict, *ACTION), summary="签署评标报告（评标委员会成员）")
@requires(MEMBER)
def report_sign(request, lot_id: ObjectId, payload: SignIn):
    s = evaluation.report_sign(actor=request.user, lot=_lot(request, lot_id), dissent=payload.dissent)
    return {"signed_sha256": s.signed_sha256}


# --- 7. result -----------------------------------------------------------------------------------------------
@router.post("/lots/{lot_id}/candidates", response=answers(dict, *ACTION), summary="公示中标候选人")
@requires(OWNERS_OR_STAFF)
def candidates(request, lot_id: ObjectId):
    lot = _lot(request, lot_id)
    rows = result.candidates_publish(actor=request.user, lot=lot)
    return {"candidates": len(rows)}


@router.post("/lots/{lot_id}/objections", response=answers(dict, *ACTION, status=201),
             summary="对评标结果提出异议（投标人）")
@requires(BIDDER)
def objection(request, lot_id: ObjectId, payload: TextIn):
    o = result.result_objection_raise(actor=request.user, lot=_lot(request, lot_id), text=payload.text)
    return Status(201, {"id": o.pk, "answer_due": o.answer_due})


@router.post("/objections/{objection_id}/answer", response=answers(dict, *ACTION), summary="答复评标结果异议")
@requires(OWNERS_OR_STAFF)
def objection_answer(request, objection_id: ObjectId, payload: AnswerIn):
    objection = ResultObjection.objects.select_related("lot__project__center").filter(pk=objection_id).first()
    if objection is None:
        raise Http404
    o = result.result_objection_answer(actor=request.user, objection=objection, answer=payload.answer)
    return {"id": o.pk, "state": o.state}


@router.post("/lots/{lot_id}/award", response=answers(dict, *ACTION), summary="发出中标通知书")
@requires(OWNERS_OR_STAFF)
def award(request, lot_id: ObjectId):
    a = result.award_issue(actor=request.user, lot=_lot(request, lot_id))
    return {"bidder": a.bidder_name, "amount": str(a.amount), "contract_due": a.contract_due}


@router.post("/lots/{lot_id}/contract", response=answers(dict, *ACTION, status=201), summary="合同备案")
@requires(OWNERS_OR_STAFF)
def contract(request, lot_id: ObjectId, amount: Form[str], signed_on: Form[dt.date], file: File[UploadedFile]):
    c = result.contract_record(actor=request.user, lot=_lot(request, lot_id), amount=amount, signed_on=signed_on,
                               content=file.read())
    return Status(201, {"sha256": c.sha256, "is_late": c.is_late})


@router.post("/lots/{lot_id}/contract-notice", response=answers(dict, *ACTION, status=201),
             summary="发布政府采购合同公告")
@requires(OWNERS_OR_STAFF)
def contract_notice(request, lot_id: ObjectId):
    c = result.contract_notice_publish(actor=request.user, lot=_lot(request, lot_id))
    late = c.notice_published_at is not None and c.notice_due is not None and c.notice_published_at > c.notice_due
    return Status(201, {"published_at": c.notice_published_at, "due": c.notice_due, "is_late": late})


@router.get("/lots/{lot_id}/announcement-deadlines", response=answers(list[dict], *LOOKUP),
            summary="结果公告与合同公告期限（政府采购）")
@requires(OWNERS_OR_STAFF)
def lot_announcement_deadlines(request, lot_id: ObjectId):
    lot = _lot(request, lot_id)
    if not (policies.is_project_owner(request.user, lot.project) or policies.can_publish_lot(request.user, lot)):
        raise NotAllowed("只有采购人、代理机构或本中心工作人员可以查看公告期限")
    return [{"kind": d.kind, "due": d.due, "done_at": d.done_at, "period": d.period, "is_overdue": d.is_overdue}
            for d in announcement_deadlines(lot)]


class IntentionIn(Schema):
    requirements: str = Field(max_length=20_000)
    planned_on: str = Field(max_length=40)


def _intention_out(i) -> dict:
    return {"project_id": i.project_id, "budget": str(i.budget), "planned_on": i.planned_on,
            "requirements": i.requirements, "published_at": i.published_at, "notice_id": i.notice_id}


@router.post("/projects/{project_id}/intention", response=answers(dict, *ACTION, status=201),
             summary="公开采购意向（政府采购）")
@requires(AUTHENTICATED)
def intention_publish(request, project_id: ObjectId, payload: IntentionIn):
    project = selectors.project_get_visible(user=request.user, project_id=project_id)
    if project is None:
        raise Http404
    i = intentions.intention_publish(actor=request.user, project=project, requirements=payload.requirements,
                                     planned_on=payload.planned_on)
    return Status(201, _intention_out(i))


@router.get("/projects/{project_id}/intention", response=answers(dict, *LOOKUP), summary="采购意向（政府采购）")
@requires(PUBLIC)
def intention_get(request, project_id: ObjectId):
    intention = ProcurementIntention.objects.filter(project_id=project_id).first()  # public once published
    if intention is None:
        raise Http404
    return _intention_out(intention)


# --- 8. archive ----------------------------------------------------------------------------------------------
@router.post("/lots/{lot_id}/archive", response=answers(dict, *ACTION, status=201), summary="归档（交易中心）")
@requires(STAFF)
def archive(request, lot_id: ObjectId):
    p = result.archive_build(actor=request.user, lot=_lot(request, lot_id))
    return Status(201, {"sha256": p.manifest_sha256, "retain_until": p.retain_until})


@router.get("/lots/{lot_id}/archive", response=answers(dict, *ACTION), summary="查阅档案（每次查阅均记录）")
@requires(roles(Role.CENTER_STAFF, Role.ADMIN, Role.SUPERVISOR))
def archive_view(request, lot_id: ObjectId, purpose: str = Query("", max_length=255)):
    lot = _lot(request, lot_id)
    package = getattr(lot, "archive", None)
    if package is None:
        raise Http404
    result.archive_open(actor=request.user, package=package, purpose=purpose)
    return {"manifest": package.manifest, "sha256": package.manifest_sha256, "retain_until": package.retain_until}


# --- the bidder holds the key (ggzy-bid) -----------------------------------------------------------------------
from .api_sealed import router as _sealed_router  # noqa: E402

router.add_router("", _sealed_router)
from .api_signatures import router as _signatures_router  # noqa: E402

router.add_router("", _signatures_router)
from .api_bonds import router as _bonds_router  # noqa: E402

router.add_router("", _bonds_router)
from .api_complaints import router as _complaints_router  # noqa: E402

router.add_router("", _complaints_router)
from .api_service_ratings import router as _service_ratings_router  # noqa: E402

router.add_router("", _service_ratings_router)
from .api_negotiation import router as _negotiation_router  # noqa: E402

router.add_router("", _negotiation_router)
from .api_single_source import router as _single_source_router  # noqa: E402

router.add_router("", _single_source_router)
