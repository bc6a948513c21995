"""Rights API (``/api/v1/rights/``): listings, registration, the center's deposit and qualification (before bidding, or
the winner's after winning: 资格后审), the grantor's sealed reserve, bids and the hall's state, suspension and the
announced resumption. The pages call the same services."""


from django.http import Http404
from ninja import File, Form, Router, Status, UploadedFile

from ggzy.accounts.roles import Role
from ggzy.core import clock, statements
from ggzy.core.api_errors import ACTION, LOOKUP, ObjectId, answers
from ggzy.core.errors import DomainError
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires, roles

from . import selectors
from .models import RightsListing
from .schemas import (
    BidIn,
    BidOut,
    ContractIn,
    DepositIn,
    ListingCreatedOut,
    ListingCreateIn,
    ListingPublicOut,
    QualifyIn,
    QuoteIn,
    QuoteOut,
    RegistrationOut,
    ReserveIn,
    ResumptionIn,
    SettlementIn,
    SuspendIn,
    SuspensionOut,
    WinnerQualificationIn,
    WinnerQualificationOut,
)
from .services import (
    bidding,
    contract,
    deposits,
    listings,
    postqualification,
    quotes,
    registration,
    results,
    suspension,
)

router = Router()
BIDDER = roles(Role.BIDDER)
STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)
GRANTOR = roles(Role.TENDERER)


def _public(listing: RightsListing) -> ListingPublicOut:
    return ListingPublicOut(
        id=listing.pk, code=listing.code, title=listing.title, kind=listing.kind, state=listing.state,
        center=listing.center.name, listing_starts_at=listing.listing_starts_at.isoformat(),
        listing_ends_at=listing.listing_ends_at.isoformat(), start_price=str(listing.start_price),
        increment=str(listing.increment), deposit=str(listing.deposit),
        current_price=str(listing.current_price) if listing.current_price is not None else None,
        current_sequence=listing.current_sequence, outcome=listing.outcome)


def _listing(listing_id: int) -> RightsListing:
    listing = selectors.listing_get(listing_id)
    if listing is None:
        raise Http404
    return listing


@router.get("/listings", response=answers(list[ListingPublicOut], 400), summary="挂牌项目列表（公开）")
@requires(PUBLIC)
def listing_list(request):
    return [_public(listing) for listing in selectors.listing_list_public(now=clock.now())[:200]]


@router.post("/listings", response=answers(ListingCreatedOut, *ACTION, status=201),
             summary="发布挂牌项目（交易中心；权重报价须公布报价权重和因素）")
@requires(STAFF)
def listing_create(request, payload: ListingCreateIn):
    from ggzy.accounts.models import User

    grantor = User.objects.filter(pk=payload.grantor_id).first()
    if grantor is None:
        raise DomainError("出让方账户不存在", field="grantor_id")
    data = payload.dict(exclude={"center", "grantor_id"})
    if payload.factors is not None:
        data["factors"] = [row.dict() for row in payload.factors]
    created = listings.listing_create(actor=request.user, center=deposits.staff_center(request.user, payload.center),
                                      grantor=grantor, **data)
    return Status(201, ListingCreatedOut(id=created.pk, code=created.code, kind=created.kind, state=created.state))


@router.get("/listings/{listing_id}/hall", response=answers(dict, *LOOKUP), summary="竞价大厅状态（按读者范围）")
@requires(PUBLIC)
def listing_hall(request, listing_id: ObjectId):
    listing, now = _listing(listing_id), clock.now()
    if not selectors.listing_visible(user=request.user, listing=listing, now=now):
        raise Http404
    return selectors.hall_state(user=request.user, listing=listing, now=now)


@router.post("/listings/{listing_id}/registrations", response=answers(RegistrationOut, *ACTION, status=201),
             summary="报名竞买（竞买人）")
@requires(BIDDER)
def registration_apply(request, listing_id: ObjectId):
    reg = registration.registration_apply(actor=request.user, listing_id=_listing(listing_id).pk)
    return Status(201, RegistrationOut(id=reg.pk, state=reg.state, paddle=reg.paddle, subaccount=reg.subaccount))


@router.post("/registrations/{registration_id}/deposit", response=answers(RegistrationOut, *ACTION),
             summary="登记竞买保证金到账（交易中心）")
@requires(STAFF)
def registration_deposit(request, registration_id: ObjectId, payload: DepositIn):
    reg = registration.registration_deposit_record(actor=request.user, registration_id=registration_id,
                                                   amount=payload.amount, reference=payload.reference)
    return RegistrationOut(id=reg.pk, state=reg.state, paddle=None)


@router.post("/registrations/{registration_id}/qualification", response=answers(RegistrationOut, *ACTION),
             summary="竞买资格审核（交易中心）")
@requires(STAFF)
def registration_qualify(request, registration_id: ObjectId, payload: QualifyIn):
    reg = registration.registration_qualify(actor=request.user, registration_id=registration_id,
                                            approve=payload.approve, reason=payload.reason)
    return RegistrationOut(id=reg.pk, state=reg.state, paddle=None)


@router.post("/listings/{listing_id}/reserve", response=answers(dict, *ACTION), summary="设定密封底价（出让方，一次）")
@requires(GRANTOR)
def reserve_set(request, listing_id: ObjectId, payload: ReserveIn):
    return {"commitment": listings.reserve_set(actor=request.user, listing_id=_listing(listing_id).pk,
                                               amount=payload.amount)}


@router.post("/listings/{listing_id}/bids", response=answers(BidOut, *ACTION), summary="报价（竞买人；带幂等键）")
@requires(AUTHENTICATED)
def bid_place(request, listing_id: ObjectId, payload: BidIn):
    # no look-up of the listing first: the service reads it under its lock (and answers 404 when there is none)
    answer = bidding.bid_place(actor=request.user, listing_id=listing_id, amount=payload.amount,
                               seen_sequence=payload.seen_sequence, idempotency_key=payload.idempotency_key)
    return BidOut(accepted=answer.accepted, sequence=answer.sequence, amount=str(answer.amount),
                  refusal=answer.refusal, message=answer.message, current_sequence=answer.current_sequence,
                  current_price=str(answer.current_price) if answer.current_price is not None else None,
                  round_ends_at=answer.round_ends_at.isoformat() if answer.round_ends_at else None,
                  replayed=answer.replayed)


@router.post("/listings/{listing_id}/quotes", response=answers(QuoteOut, *ACTION, status=201),
             summary="密封报价（一次报价、权重报价；竞买人一次，不得修改）")
@requires(BIDDER)
def quote_submit(request, listing_id: ObjectId, payload: QuoteIn):
    # the service reads the listing under its lock (404 when there is none)
    done = quotes.quote_submit(actor=request.user, listing_id=listing_id, amount=payload.amount,
                               factors=payload.factors)
    return Status(201, QuoteOut(submitted_at=done.submitted_at, amount=str(done.amount)))


@router.post("/listings/{listing_id}/suspension", response=answers(SuspensionOut, *ACTION, status=201),
             summary="中止竞价并发布中止公告（交易中心；本中心项目）")
@requires(STAFF)
def listing_suspend(request, listing_id: ObjectId, payload: SuspendIn):
    notice = suspension.listing_suspend(actor=request.user, listing_id=_listing(listing_id).pk, reason=payload.reason)
    return Status(201, notice)


@router.post("/listings/{listing_id}/resumption", response=answers(SuspensionOut, *ACTION),
             summary="公告恢复交易时间（交易中心；须提前流程模板规定的期限，到时自动恢复）")
@requires(STAFF)
def listing_resumption_announce(request, listing_id: ObjectId, payload: ResumptionIn):
    return suspension.listing_resumption_announce(actor=request.user, listing_id=_listing(listing_id).pk,
                                                  resume_at=payload.resume_at)


@router.get("/listings/{listing_id}/results", response=answers(dict, *LOOKUP),
            summary="成交确认书与保证金处理（结束后；按读者范围）")
@requires(PUBLIC)
def listing_results(request, listing_id: ObjectId):
    return selectors.results_for(user=request.user, listing=_listing(listing_id)) or {"closed": False}


@router.post("/listings/{listing_id}/confirmation", response=answers(dict, *ACTION),
             summary="确认成交确认书（竞得人、出让方各一次）")
@requires(AUTHENTICATED)
def confirmation_confirm(request, listing_id: ObjectId):
    confirmation = results.confirmation_confirm(actor=request.user, listing_id=_listing(listing_id).pk)
    return {"sha256": confirmation.sha256, "winner_confirmed_at": confirmation.winner_confirmed_at,
            "grantor_confirmed_at": confirmation.grantor_confirmed_at}


@router.post("/listings/{listing_id}/winner-qualification", response=answers(WinnerQualificationOut, *ACTION),
             summary="竞得后资格审查（资格后审；交易中心，本中心项目，一次；不通过须填原因，竞得无效）")
@requires(STAFF)
def winner_qualification_decide(request, listing_id: ObjectId, payload: WinnerQualificationIn):
    review = postqualification.winner_qualification_decide(
        actor=request.user, listing_id=_listing(listing_id).pk, approve=payload.approve, reason=payload.reason)
    return WinnerQualificationOut(approved=bool(review.is_approved), reason=review.reason,
                                  decided_at=review.decided_at, outcome=review.listing.outcome,
                                  void_notice_id=review.void_notice_id)


@router.post("/settlements/{settlement_id}", response=answers(dict, *ACTION),
             summary="记录保证金退还或转作价款（交易中心）")
@requires(STAFF)
def settlement_record(request, settlement_id: ObjectId, payload: SettlementIn):
    settlement = results.settlement_record(actor=request.user, settlement_id=settlement_id,
                                           reference=payload.reference)
    return {"id": settlement.pk, "kind": settlement.kind, "settled_at": settlement.settled_at,
            "reference": settlement.reference, "late": results.is_late(settlement)}


@router.post("/listings/{listing_id}/contract", response=answers(dict, *ACTION, status=201),
             summary="登记成交合同与价款支付计划（交易中心；双方确认成交确认书后）")
@requires(STAFF)
def contract_record(request, listing_id: ObjectId, payload: ContractIn):
    recorded = contract.contract_record(
        actor=request.user, listing_id=_listing(listing_id).pk, number=payload.number, signed_on=payload.signed_on,
        instalments=[{"due_on": row.due_on, "amount": row.amount} for row in payload.instalments])
    return Status(201, {"number": recorded.number, "signed_on": recorded.signed_on, "price": recorded.price,
                 "deposit_credited": recorded.deposit_credited,
                 "instalments": [{"id": i.pk, "number": i.number, "due_on": i.due_on, "amount": i.amount}
                                 for i in recorded.instalments.order_by("number")]})


@router.post("/instalments/{instalment_id}/payment", response=answers(dict, *ACTION),
             summary="登记一期价款到账（交易中心；银行凭证号）")
@requires(STAFF)
def instalment_pay(request, instalment_id: ObjectId, payload: SettlementIn):
    paid = contract.instalment_pay(actor=request.user, instalment_id=instalment_id, reference=payload.reference)
    return {"id": paid.pk, "number": paid.number, "paid_at": paid.paid_at, "reference": paid.reference,
            "late": contract.instalment_late(paid)}


def _import_out(done) -> dict:
    return {"id": done.pk, "imported_at": done.imported_at, "file_name": done.file_name, "sha256": done.sha256,
            "rows": done.rows, "matched": done.matched, "unmatched": done.unmatched, "duplicates": done.duplicates}


@router.post("/deposit-statements", response=answers(dict, *ACTION, status=201),
             summary="导入竞买保证金账户银行流水（CSV，UTF-8 或 GBK；按虚拟子账号匹配；中心工作人员）")
@requires(STAFF)
def deposit_statement_import(request, file: File[UploadedFile], center: Form[str] = ""):
    done = deposits.deposit_statement_import(
        actor=request.user, center=deposits.staff_center(request.user, center),
        data=file.read(statements.MAX_IMPORT_BYTES + 1), file_name=file.name or "")
    return Status(201, _import_out(done))


@router.get("/deposit-arrivals", response=answers(list[dict], *LOOKUP),
            summary="待退回的保证金到账（未匹配子账号或报名截止后到账；中心工作人员）")
@requires(STAFF)
def deposit_arrivals(request, center: str = ""):
    rows = deposits.arrivals_to_return(user=request.user, center=deposits.staff_center(request.user, center))
    return [{"id": a.pk, "serial": a.serial, "arrived_at": a.arrived_at, "subaccount": a.subaccount,
             "amount": str(a.amount), "payer_name": a.payer_name, "payer_account": a.payer_account,
             "payer_bank": a.payer_bank, "late": a.late} for a in rows]


@router.post("/deposit-arrivals/{arrival_id}/return", response=answers(dict, *ACTION),
             summary="登记保证金到账已退回付款人（中心工作人员）")
@requires(STAFF)
def deposit_arrival_return(request, arrival_id: ObjectId, payload: SettlementIn):
    arrival = deposits.arrival_return(actor=request.user, arrival_id=arrival_id, reference=payload.reference)
    return {"id": arrival.pk, "returned_at": arrival.returned_at, "reference": arrival.return_reference}
