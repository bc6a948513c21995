"""Bid bonds as centers take them (投标保证金): a virtual sub-account per sign-up, bank arrivals imported from the
bond account's statement and matched to sub-accounts, electronic guarantees checked against their issuers' records,
the checks that block a bid, and refunds.

Sealed means sealed: an arrival matched to a sub-account keeps its payer only encrypted (to the opening key, and
under a key derived from the bidder's tag for the bidder's own page) and as a lot-keyed tag; staff see per import
only rows / matched / unmatched, never anything per lot, until the opening.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ggzy.accounts.models import User
from ggzy.accounts.roles import Role
from ggzy.accounts.services import notify
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed

from .. import policies, sealing
from ..choices import LotState
from ..models import (
    BidBond,
    BondAccount,
    BondRefund,
    GuaranteeIssuer,
    GuaranteeRecord,
    Lot,
    SignUp,
)
from ..procedures import lot_fresh, procedure_for
from .bond_credit import bond_required

# The bidder's bond states (what the lot page shows)
PENDING, ARRIVED, SHORT, WRONG_PAYER, GUARANTEED, REFUND_DUE, REFUNDED, WAIVED = (
    "pending", "arrived", "short", "wrong_payer", "guaranteed", "refund_due", "refunded", "waived")
STATE_LABELS = {PENDING: "待缴纳", ARRIVED: "已到账", SHORT: "金额不足", WRONG_PAYER: "付款账户不符",
                GUARANTEED: "保函已核验", REFUND_DUE: "待退还", REFUNDED: "已退还", WAIVED: "守信免缴"}


def money_text(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def staff_center_require(actor, center):
    if not policies.is_center_staff_for(actor, center):
        raise NotAllowed("只有本中心工作人员可以导入")
    return center


# --- sub-accounts ---------------------------------------------------------------------------------------------
def bond_open(*, signup: SignUp) -> BidBond | None:
    """At sign-up (inside its transaction): the sign-up's bond with its virtual sub-account, if the lot takes one."""
    if signup.lot.bond_amount <= 0:
        return None
    return BidBond.objects.create(
        signup=signup, subaccount=sealing.bond_subaccount(lot_id=signup.lot_id, bidder_tag=signup.bidder_tag))


def bond_account_of(center) -> BondAccount | None:
    return BondAccount.objects.filter(center=center).first()


def _text(value, *, field: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}", field=field)
    if len(value) > max_length:
        raise DomainError(f"{label}过长（最多 {max_length} 个字符）", field=field)
    return value


def bond_account_set(*, actor, center, bank_name: str, account_name: str, account_number: str) -> BondAccount:
    """Staff register (or change) the center's bond account, under which the sub-accounts are opened."""
    staff_center_require(actor, center)
    values = {"bank_name": _text(bank_name, field="bank_name", label="开户银行", max_length=128),
              "account_name": _text(account_name, field="account_name", label="账户名称", max_length=200),
              "account_number": "".join(_text(account_number, field="account_number", label="专户账号",
                                              max_length=40).split())}
    if not values["account_number"].isdigit():
        raise DomainError("专户账号应为数字", field="account_number")
    with transaction.atomic():
        before = BondAccount.objects.filter(center=center).values("bank_name", "account_name", "account_number").first()
        account, _created = BondAccount.objects.update_or_create(center=center, defaults=values)
        audit_record(actor=actor, action="bond.account_set", obj=account, center_id=center.pk, before=dict(before) if before else None,
                     after=values)
    return account


def guarantee_issuer_register(*, actor, center, code: str, name: str, kind: str) -> GuaranteeIssuer:
    """Staff register an issuer (bank or insurer) whose electronic guarantees the center accepts."""
    staff_center_require(actor, center)
    code = _text(code, field="code", label="机构代码", max_length=32)
    name = _text(name, field="name", label="机构名称", max_length=200)
    if kind not in ("bank", "insurance"):
        raise DomainError("类型应为银行保函或保证保险", field="kind")
    with transaction.atomic():
        issuer, created = GuaranteeIssuer.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
        if not created:
            raise Conflict(f"机构代码 {code} 已登记", field="code")
        audit_record(actor=actor, action="bond.issuer_register", obj=issuer, center_id=center.pk,
                     after={"code": code, "name": name, "kind": kind})
    return issuer


def _own_bond(*, actor, lot: Lot) -> tuple[SignUp, BidBond | None]:
    from .signup import signup_of

    signup = signup_of(actor=actor, lot=lot)
    if signup is None:
        raise NotAllowed("请先报名", field="lot")
    bond = BidBond.objects.filter(signup=signup).first()
    if bond is None and lot.bond_amount > 0:
        # a sign-up from before sub-accounts existed gets its sub-account now
        bond = bond_open(signup=signup)
    return signup, bond


@dataclass
class BondView:
    """What the bidder sees of its own bond on the lot page and in the API."""

    required: Decimal
    arrived: Decimal
    subaccount: str
    account: BondAccount | None
    state: str
    blocked_reason: str
    guarantee_number: str = ""
    refund_due_on: dt.date | None = None
    refunded_at: dt.datetime | None = None
    refund_reference: str = ""
    full: Decimal | None = None  # the lot's bond when this bidder owes less (守信激励)
    reduction_reason: str = ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_guarantee(self) -> bool:
        return bool(self.guarantee_number)

    @property
    def required_text(self) -> str:
        return money_text(self.required)

    @property
    def arrived_text(self) -> str:
        return money_text(self.arrived)

    def as_dict(self) -> dict:
        account = self.account
        return {"required": str(self.required), "arrived": str(self.arrived), "subaccount": self.subaccount,
                "account_name": account.account_name if account else "", "bank_name": account.bank_name if account
                else "", "account_number": account.account_number if account else "", "state": self.state,
                "state_label": self.state_label, "blocked_reason": self.blocked_reason,
                "guarantee_number": self.guarantee_number, "refund_due_on": self.refund_due_on,
                "refunded_at": self.refunded_at, "refund_reference": self.refund_reference,
                "full_amount": str(self.full if self.full is not None else self.required),
                "reduction_reason": self.reduction_reason}


def _masked(number: str) -> str:
    return f"****{number[-4:]}" if len(number) > 4 else number


def _assess(*, lot: Lot, bond: BidBond, bidder) -> tuple[str, str, Decimal]:
    """(state, reason that blocks the bid or "", total arrived from a basic account)."""
    if bond.guarantee_id is not None:
        return GUARANTEED, "", Decimal(0)
    basic = {sealing.bond_payer_tag(lot_id=lot.pk, account_number=a.account_number)
             for a in bidder.bank_accounts.filter(is_basic=True)}
    counted, foreign = Decimal(0), []
    for arrival in bond.arrivals.filter(arrived_at__lte=clock.now()):
        if arrival.payer_account_tag in basic:
            counted += arrival.amount
        else:
            foreign.append(arrival)
    required = bond_required(lot=lot, bidder=bidder).required  # less for a trustworthy firm where the template allows
    if required <= 0:
        return WAIVED, "", counted
    if counted >= required:
        return ARRIVED, "", counted
    if foreign:
        payer = sealing.unseal_for_bidder(bond.signup.bidder_tag, bytes(foreign[-1].payer_for_bidder or b""))
        # 招标投标法实施条例 第二十六条: a bond paid in cash or by cheque must leave the bidder's basic account
        return WRONG_PAYER, (f"保证金付款账户不符：{payer['bank']} {payer['name']} {_masked(payer['account'])} "
                             f"不是本单位登记的基本账户，该笔款项不计入保证金并将原路退回；应缴 {money_text(required)}，"
                             f"基本账户已到账 {money_text(counted)}"), counted
    if counted == 0:
        return PENDING, f"保证金未到账：应缴 {money_text(required)}，已到账 ¥0.00", counted
    return SHORT, f"保证金不足：应缴 {money_text(required)}，已到账 {money_text(counted)}", counted


def bond_block_reason(*, lot: Lot, signup: SignUp, bidder) -> str:
    """Why this sign-up may not bid yet because of its bond ("" when the bond is in order)."""
    if lot.bond_amount <= 0:
        return ""
    bond = BidBond.objects.filter(signup=signup).first()
    if bond is None:
        required = bond_required(lot=lot, bidder=bidder).required
        return f"保证金未到账：应缴 {money_text(required)}，已到账 ¥0.00" if required > 0 else ""
    return _assess(lot=lot, bond=bond, bidder=bidder)[1]


def bond_status(*, actor, lot: Lot) -> BondView | None:
    """The acting bidder's own bond on ``lot`` (None when the lot takes no bond)."""
    if lot.bond_amount <= 0:
        return None
    signup, bond = _own_bond(actor=actor, lot=lot)
    assert bond is not None
    bidder = policies.acting_entity(actor)
    state, reason, counted = _assess(lot=lot, bond=bond, bidder=bidder)
    refund = BondRefund.objects.filter(bond=bond).first()
    need = bond_required(lot=lot, bidder=bidder)
    view = BondView(required=need.required, arrived=bond.amount, subaccount=bond.subaccount or "",
                    account=bond_account_of(lot.project.center), state=state, blocked_reason=reason,
                    guarantee_number=bond.guarantee.number if bond.guarantee is not None else "",
                    full=need.full if need.reason else None, reduction_reason=need.reason)
    if refund is not None:
        view.refund_due_on = refund.due_on
        view.refunded_at, view.refund_reference = bond.refunded_at, bond.refund_reference
        view.state = REFUNDED if bond.refunded_at else REFUND_DUE
    return view


def bond_guarantee_submit(*, actor, lot: Lot, number: str) -> BidBond:
    """The bidder offers an electronic guarantee (电子保函 / 保证保险) by its number; it is checked against the
    issuer's record: this lot, this bidder, the tenderer as beneficiary, the amount owed (less for a trustworthy
    firm where the template allows), valid for the bid validity."""
    lot = lot_fresh(lot)
    procedure_for(lot).require(LotState.PUBLISHED)
    signup, bond = _own_bond(actor=actor, lot=lot)
    if bond is None:
        raise Conflict("本标段不收取投标保证金", field="guarantee_number")
    bidder = policies.acting_entity(actor)
    number = (number or "").strip()
    if not number or len(number) > 64:
        raise DomainError("请填写保函编号（最多64个字符）", field="guarantee_number")
    record = GuaranteeRecord.objects.select_related("issuer").filter(number=number).first()
    if record is None:
        raise DomainError(f"保函编号 {number} 未找到：平台没有出函机构的该保函记录", field="guarantee_number")
    used = BidBond.objects.filter(guarantee=record).exclude(pk=bond.pk).exists()
    if used:
        raise Conflict("该保函已用于其他投标", field="guarantee_number")
    if record.lot_code != lot.code:
        raise DomainError(f"保函担保的标段为 {record.lot_code}，不是本标段 {lot.code}", field="guarantee_number")
    if record.applicant_tag != sealing.guarantee_applicant_tag(bidder.credit_code):
        raise DomainError("保函申请人不是本单位（统一社会信用代码不符）", field="guarantee_number")
    tenderer = lot.project.tenderer.name
    if record.beneficiary != tenderer:
        raise DomainError(f"保函受益人“{record.beneficiary}”不是本项目招标人“{tenderer}”", field="guarantee_number")
    need = bond_required(lot=lot, bidder=bidder)
    if need.required <= 0:
        raise Conflict(f"本单位无需缴纳投标保证金：{need.reason}", field="guarantee_number")
    if record.amount < need.required:
        raise DomainError(f"保函金额不足：应缴 {money_text(need.required)}，保函金额 {money_text(record.amount)}",
                          field="guarantee_number")
    validity_end = timezone.localdate(lot.bid_deadline) + dt.timedelta(days=lot.bid_validity_days)
    if record.valid_until < validity_end:
        raise DomainError(f"保函有效期至 {record.valid_until:%Y-%m-%d}，短于投标有效期（至 {validity_end:%Y-%m-%d}）",
                          field="guarantee_number")
    with transaction.atomic():
        BidBond.objects.filter(pk=bond.pk).update(guarantee=record, guarantee_verified_at=clock.now())
        audit_record(actor=actor, action="lot.bond_guarantee", object_type="tendering.lot", object_id=str(lot.pk),
                     object_repr="投标保证金（电子保函）", center_id=lot.project.center_id, sealed=True,
                     after={"verified": True}, seal_key=sealing.seal_key(lot.pk))
    bond.refresh_from_db()
    return bond


# --- refunds --------------------------------------------------------------------------------------------------
def bond_refund_due(*, bond: BidBond, due_on: dt.date, reason: str) -> BondRefund | None:
    """A bond falls due for refund (or, a guarantee, for release) — only if money arrived or a guarantee stands."""
    if bond.amount <= 0 and bond.guarantee_id is None:
        return None
    refund, _created = BondRefund.objects.get_or_create(bond=bond, defaults={"due_on": due_on, "reason": reason})
    return refund


@dataclass
class RefundRow:
    refund: BondRefund
    lot: Lot | None  # None while the lot is sealed (before its opening)
    is_overdue: bool
    is_guarantee: bool
    amount: Decimal


def bond_refunds_visible(*, user, center) -> list[RefundRow]:
    """Staff's refund list: due dates, overdue first. Before a lot's opening its row shows only the opaque
    sub-account (the bank returns the arrivals to their payer by 流水号), never the lot."""
    staff_center_require(user, center)
    today = clock.today()
    rows = []
    for refund in BondRefund.objects.select_related("bond__signup__lot__project", "bond__guarantee").filter(
            bond__signup__lot__project__center=center).order_by("bond__refunded_at", "due_on", "pk"):
        bond = refund.bond
        lot = bond.signup.lot
        sealed = lot.state == LotState.PUBLISHED
        rows.append(RefundRow(refund=refund, lot=None if sealed else lot, amount=bond.amount,
                              is_overdue=bond.refunded_at is None and refund.due_on < today,
                              is_guarantee=bond.guarantee_id is not None))
    rows.sort(key=lambda r: (r.refund.bond.refunded_at is not None, not r.is_overdue, r.refund.due_on))
    return rows


def bond_refund_record(*, actor, refund: BondRefund, reference: str) -> BondRefund:
    """Staff record a refund (or a guarantee's release) with the bank's reference."""
    lot = refund.bond.signup.lot
    staff_center_require(actor, lot.project.center)
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise DomainError("请填写银行退款凭证号或保函解除编号（最多64个字符）", field="reference")
    with transaction.atomic():
        if not BidBond.objects.filter(pk=refund.bond_id, refunded_at__isnull=True).update(
                refunded_at=clock.now(), refund_reference=reference):
            raise Conflict("该保证金已退还", field="reference")
        # a bond refunded before the opening (its bid withdrawn) would tell that the lot has a bidder
        audit_record(actor=actor, action="bond.refund", obj=refund.bond, center_id=lot.project.center_id,
                     seal_key=sealing.seal_key(lot.pk) if lot.state == LotState.PUBLISHED else "",
                     after={"refunded": True})
    refund.bond.refresh_from_db()
    return refund


def bond_refunds_flag_overdue() -> int:
    """Scheduled: flag refunds past their due date, once each, and tell the center's staff (idempotent)."""
    today = clock.today()
    flagged = 0
    for refund in BondRefund.objects.select_related("bond__signup__lot__project").filter(
            bond__refunded_at__isnull=True, due_on__lt=today, overdue_flagged_at__isnull=True):
        lot = refund.bond.signup.lot
        with transaction.atomic():
            if not BondRefund.objects.filter(pk=refund.pk, overdue_flagged_at__isnull=True).update(
                    overdue_flagged_at=clock.now()):
                continue
            staff = User.objects.filter(role=Role.CENTER_STAFF, center_id=lot.project.center_id, is_active=True)
            where = f"子账号 {refund.bond.subaccount}" if lot.state == LotState.PUBLISHED else lot.code
            notify(users=list(staff), title=f"保证金退还已逾期：{where}",
                   body=f"应于{refund.due_on:%Y-%m-%d}前退还（{refund.reason}），请尽快办理。")
        flagged += 1
    return flagged
