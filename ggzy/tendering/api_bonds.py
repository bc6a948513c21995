"""API of bid bonds: the bidder's own bond (sub-account, status) and its electronic guarantee; for the center's
staff the bond account's statement import, the issuers' guarantee records, unmatched arrivals and refunds.
Mounted under the tendering router; the pages call the same services."""

from django.http import Http404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from ggzy.accounts.roles import Role
from ggzy.core.api_errors import ACTION, LOOKUP, ObjectId, answers
from ggzy.core.errors import NotAllowed
from ggzy.core.permissions import requires, roles
from ggzy.registry.models import Center

from . import selectors
from .models import BankArrival, BondRefund, GuaranteeIssuer
from .services import bond_imports, bonds

router = Router()
STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)
BIDDER = roles(Role.BIDDER)


class GuaranteeIn(Schema):
    guarantee_number: str = Field(max_length=64, description="电子保函（保证保险）编号")


class ReferenceIn(Schema):
    reference: str = Field(max_length=64, description="银行退款凭证号或保函解除编号")


def _lot(request, lot_id: ObjectId):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404
    return lot


def staff_center(user, code: str = ""):
    """The center whose bonds a staff member handles: its own, or (provincial scope) the one named by code."""
    if code and user.is_provincial:
        center = Center.objects.filter(code=code).first()
        if center is None:
            raise Http404
        return center
    if user.center is None:
        raise NotAllowed("请指定交易中心")
    return user.center


def statement_out(s) -> dict:
    return {"id": s.pk, "imported_at": s.imported_at, "file_name": s.file_name, "sha256": s.sha256, "rows": s.rows,
            "matched": s.matched, "unmatched": s.unmatched, "duplicates": s.duplicates}


@router.get("/lots/{lot_id}/bond", response=answers(dict, *LOOKUP, 409), summary="我的投标保证金：子账号与状态（投标人）")
@requires(BIDDER)
def my_bond(request, lot_id: ObjectId):
    view = bonds.bond_status(actor=request.user, lot=_lot(request, lot_id))
    if view is None:
        raise Http404
    return view.as_dict()


@router.post("/lots/{lot_id}/bond/guarantee", response=answers(dict, *ACTION), summary="提交电子保函编号核验（投标人）")
@requires(BIDDER)
def bond_guarantee(request, lot_id: ObjectId, payload: GuaranteeIn):
    lot = _lot(request, lot_id)
    bonds.bond_guarantee_submit(actor=request.user, lot=lot, number=payload.guarantee_number)
    return bonds.bond_status(actor=request.user, lot=lot).as_dict()  # type: ignore[union-attr]


@router.post("/bonds/statements", response=answers(dict, *ACTION, status=201),
             summary="导入保证金专户银行流水（CSV，UTF-8 或 GBK；中心工作人员）")
@requires(STAFF)
def statement_import(request, file: File[UploadedFile], center: Form[str] = ""):
    statement = bond_imports.bank_statement_import(actor=request.user, center=staff_center(request.user, center),
                                            data=file.read(bond_imports.MAX_IMPORT_BYTES + 1), file_name=file.name or "")
    return Status(201, statement_out(statement))


@router.get("/bonds/statements", response=answers(list[dict], *LOOKUP), summary="流水导入批次（只有批次合计）")
@requires(STAFF)
def statement_list(request, center: str = ""):
    rows = bond_imports.statement_imports_visible(user=request.user, center=staff_center(request.user, center))
    return [statement_out(s) for s in rows]


@router.get("/bonds/unmatched", response=answers(list[dict], *LOOKUP), summary="未匹配子账号的到账（待退回）")
@requires(STAFF)
def unmatched(request, center: str = ""):
    rows = bond_imports.arrivals_unmatched(user=request.user, center=staff_center(request.user, center))
    return [{"id": a.pk, "serial": a.serial, "arrived_at": a.arrived_at, "subaccount": a.subaccount,
             "amount": str(a.amount), "payer_name": a.payer_name, "payer_account": a.payer_account,
             "payer_bank": a.payer_bank, "returned_at": a.returned_at, "return_reference": a.return_reference}
            for a in rows]


@router.post("/bonds/unmatched/{arrival_id}/returned", response=answers(dict, *ACTION), summary="登记未匹配到账已退回")
@requires(STAFF)
def unmatched_returned(request, arrival_id: ObjectId, payload: ReferenceIn):
    arrival = BankArrival.objects.filter(pk=arrival_id).select_related("center").first()
    if arrival is None:
        raise Http404
    arrival = bond_imports.arrival_return_mark(actor=request.user, arrival=arrival, reference=payload.reference)
    return {"returned_at": arrival.returned_at, "return_reference": arrival.return_reference}


@router.post("/bonds/guarantees", response=answers(dict, *ACTION, status=201),
             summary="导入出函机构的保函记录（CSV；中心工作人员）")
@requires(STAFF)
def guarantee_import(request, issuer: Form[str], file: File[UploadedFile], center: Form[str] = ""):
    found = GuaranteeIssuer.objects.filter(code=issuer).first()
    if found is None:
        raise Http404
    summary = bond_imports.guarantee_records_import(actor=request.user, center=staff_center(request.user, center),
                                             issuer=found, data=file.read(bond_imports.MAX_IMPORT_BYTES + 1))
    return Status(201, summary)


def refund_out(row) -> dict:
    bond = row.refund.bond
    return {"id": row.refund.pk, "lot_code": row.lot.code if row.lot else None, "subaccount": bond.subaccount,
            "amount": str(row.amount), "kind": "guarantee" if row.is_guarantee else "transfer",
            "due_on": row.refund.due_on, "reason": row.refund.reason, "is_overdue": row.is_overdue,
            "refunded_at": bond.refunded_at, "reference": bond.refund_reference}


@router.get("/bonds/refunds", response=answers(list[dict], *LOOKUP), summary="保证金退还（保函解除）清单")
@requires(STAFF)
def refund_list(request, center: str = ""):
    return [refund_out(r) for r in bonds.bond_refunds_visible(user=request.user,
                                                              center=staff_center(request.user, center))]


@router.post("/bonds/refunds/{refund_id}/refunded", response=answers(dict, *ACTION), summary="登记保证金已退还")
@requires(STAFF)
def refund_mark(request, refund_id: ObjectId, payload: ReferenceIn):
    refund = BondRefund.objects.filter(pk=refund_id).select_related("bond__signup__lot__project__center").first()
    if refund is None:
        raise Http404
    refund = bonds.bond_refund_record(actor=request.user, refund=refund, reference=payload.reference)
    return {"refunded_at": refund.bond.refunded_at, "reference": refund.bond.refund_reference}
