"""Bid bonds as centers take them (投标保证金): a virtual sub-account per sign-up, bank arrivals imported from the
bond account's statement and matched to sub-accounts, electronic guarantees checked against their issuers' records,
the checks that block a bid, and refunds.

Sealed means sealed: an arrival matched to a sub-account keeps its payer only encrypted (to the opening key, and
under a key derived from the bidder's tag for the bidder's own page) and as a lot-keyed tag; staff see per import
only rows / matched / unmatched, never anything per lot, until the opening.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ggzy.accounts.models import User
from ggzy.accounts.roles import Role
from ggzy.accounts.services import notify
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.money import yuan

from .. import policies, sealing
from ..choices import LotState
from ..models import (
    BankArrival,
    BankStatementImport,
    BidBond,
    BondAccount,
    BondRefund,
    GuaranteeIssuer,
    GuaranteeRecord,
    Lot,
    SignUp,
)
from ..procedures import lot_fresh, procedure_for

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
STATEMENT_COLUMNS = ["流水号", "到账时间", "付款户名", "付款账号", "付款银行", "收款子账号", "金额"]
GUARANTEE_COLUMNS = ["保函编号", "申请人统一社会信用代码", "受益人", "标段编号", "担保金额", "有效期至"]
TIME_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y%m%d%H%M%S"]

# The bidder's bond states (what the lot page shows)
PENDING, ARRIVED, SHORT, WRONG_PAYER, GUARANTEED, REFUND_DUE, REFUNDED = (
    "pending", "arrived", "short", "wrong_payer", "guaranteed", "refund_due", "refunded")
STATE_LABELS = {PENDING: "待缴纳", ARRIVED: "已到账", SHORT: "金额不足", WRONG_PAYER: "付款账户不符",
                GUARANTEED: "保函已核验", REFUND_DUE: "待退还", REFUNDED: "已退还"}


def money_text(value: Decimal) -> str:
    return f"¥{value:,.2f}"


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
    _staff_center(actor, center)
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
    _staff_center(actor, center)
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
                "refunded_at": self.refunded_at, "refund_reference": self.refund_reference}


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
    required = lot.bond_amount
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
        return f"保证金未到账：应缴 {money_text(lot.bond_amount)}，已到账 ¥0.00"
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
    view = BondView(required=lot.bond_amount, arrived=bond.amount, subaccount=bond.subaccount or "",
                    account=bond_account_of(lot.project.center), state=state, blocked_reason=reason,
                    guarantee_number=bond.guarantee.number if bond.guarantee is not None else "")
    if refund is not None:
        view.refund_due_on = refund.due_on
        view.refunded_at, view.refund_reference = bond.refunded_at, bond.refund_reference
        view.state = REFUNDED if bond.refunded_at else REFUND_DUE
    return view


# --- bank statement import ------------------------------------------------------------------------------------
def _decode(data: bytes) -> str:
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError("文件过大（上限 5 MB）", field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise DomainError("文件编码无法识别：应为 UTF-8 或 GBK 编码的 CSV", field="file") from None


def _table(data: bytes, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, the row by column name); the header must name every column."""
    reader = csv.reader(io.StringIO(_decode(data)))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise DomainError("文件为空", field="file") from None
    except csv.Error as exc:
        raise DomainError(f"第1行：CSV 格式错误（{exc}）", field="file") from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise DomainError(f"第1行（表头）缺少列：{'、'.join(missing)}", field="file")
    rows = []
    try:
        for number, raw in enumerate(reader, start=2):
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) != len(header):
                raise DomainError(f"第{number}行：有 {len(raw)} 列，表头有 {len(header)} 列", field="file")
            rows.append((number, {name: cell.strip() for name, cell in zip(header, raw, strict=True)}))
            if len(rows) > MAX_IMPORT_ROWS:
                raise DomainError(f"行数过多（上限 {MAX_IMPORT_ROWS} 行）", field="file")
    except csv.Error as exc:
        raise DomainError(f"第{reader.line_num}行：CSV 格式错误（{exc}）", field="file") from None
    if not rows:
        raise DomainError("文件没有数据行", field="file")
    return rows


def _cell_error(number: int, column: str, problem: str) -> DomainError:
    return DomainError(f"第{number}行“{column}”列：{problem}", field="file")


def _required(number: int, row: dict, column: str, max_length: int) -> str:
    value = row[column]
    if not value:
        raise _cell_error(number, column, "不能为空")
    if len(value) > max_length:
        raise _cell_error(number, column, f"过长（最多 {max_length} 个字符）")
    return value


def _amount(number: int, row: dict, column: str) -> Decimal:
    try:
        value = yuan(row[column].replace(",", ""), field="file", label=column)
    except DomainError as exc:
        raise _cell_error(number, column, exc.message) from None
    if value <= 0:
        raise _cell_error(number, column, "金额必须大于0")
    return value


def _time(number: int, row: dict, column: str) -> dt.datetime:
    text = row[column]
    for fmt in TIME_FORMATS:
        try:
            return timezone.make_aware(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise _cell_error(number, column, f"“{text}”不是有效时间（应为 YYYY-MM-DD HH:MM:SS）")


def _digits(number: int, row: dict, column: str, max_length: int = 40) -> str:
    value = "".join(_required(number, row, column, max_length).split())
    if not value.isdigit():
        raise _cell_error(number, column, "应为数字")
    return value


@dataclass(frozen=True)
class StatementRow:
    """One parsed row of a bank statement (``number`` as a spreadsheet shows it)."""

    number: int
    serial: str
    arrived_at: dt.datetime
    payer_name: str
    payer_account: str
    payer_bank: str
    subaccount: str
    amount: Decimal


def _staff_center(actor, center):
    if not policies.is_center_staff_for(actor, center):
        raise NotAllowed("只有本中心工作人员可以导入")
    return center


def bank_statement_import(*, actor, center, data: bytes, file_name: str = "") -> BankStatementImport:
    """Import the bond account's statement (CSV, UTF-8 or GBK): every arrival is matched to its sub-account,
    idempotently by 流水号. A malformed row names its row and column, and the import then changes nothing."""
    _staff_center(actor, center)
    rows = _table(data, STATEMENT_COLUMNS)
    parsed: list[StatementRow] = []
    seen: set[str] = set()
    for number, row in rows:
        serial = _required(number, row, "流水号", 64)
        if serial in seen:
            raise _cell_error(number, "流水号", f"{serial} 在本文件中重复")
        seen.add(serial)
        parsed.append(StatementRow(
            number=number, serial=serial, arrived_at=_time(number, row, "到账时间"),
            payer_name=_required(number, row, "付款户名", 200), payer_account=_digits(number, row, "付款账号"),
            payer_bank=_required(number, row, "付款银行", 128), subaccount=_digits(number, row, "收款子账号"),
            amount=_amount(number, row, "金额")))
    with transaction.atomic():
        existing = {a.serial: a for a in BankArrival.objects.select_for_update().filter(
            center=center, serial__in=[p.serial for p in parsed])}
        for p in parsed:
            old = existing.get(p.serial)
            if old is not None and (old.amount != p.amount or old.subaccount != p.subaccount):
                raise _cell_error(p.number, "流水号", f"{p.serial} 已导入，但金额或收款子账号与本次不一致")
        statement = BankStatementImport.objects.create(
            center=center, imported_by=actor, imported_at=clock.now(), file_name=file_name[:200],
            sha256=hashlib.sha256(data).hexdigest(), rows=len(parsed), duplicates=len(existing))
        bonds = {b.subaccount: b for b in BidBond.objects.select_related("signup__lot__project").filter(
            subaccount__in={p.subaccount for p in parsed}, signup__lot__project__center=center)}
        matched = unmatched = 0
        for p in parsed:
            if p.serial in existing:
                continue
            payer = {"name": p.payer_name, "account": p.payer_account, "bank": p.payer_bank}
            arrival = BankArrival(center=center, statement=statement, serial=p.serial, arrived_at=p.arrived_at,
                                  subaccount=p.subaccount, amount=p.amount)
            bond = bonds.get(p.subaccount)
            if bond is None:
                arrival.payer_name, arrival.payer_account, arrival.payer_bank = (
                    payer["name"], payer["account"], payer["bank"])
                unmatched += 1
            else:
                lot = bond.signup.lot
                arrival.bond = bond
                arrival.payer_sealed = sealing.seal_small(lot, payer)
                arrival.payer_for_bidder = sealing.seal_for_bidder(bond.signup.bidder_tag, payer)
                arrival.payer_account_tag = sealing.bond_payer_tag(lot_id=lot.pk, account_number=payer["account"])
                BidBond.objects.filter(pk=bond.pk).update(amount=F("amount") + p.amount)
                BidBond.objects.filter(pk=bond.pk, paid_at__isnull=True).update(
                    paid_at=p.arrived_at, account_sealed=arrival.payer_sealed)
                matched += 1
            arrival.save()
            if arrival.bond_id is not None:
                # the arrival goes into the log against its lot, sealed until the opening; its actor is the staff
                # member who imported the statement (a staff act about sealed rows: seal key only, ADR 0008)
                audit_record(actor=actor, action="lot.bond_arrival", object_type="tendering.lot",
                             object_id=str(lot.pk), object_repr="投标保证金到账", center_id=center.pk,
                             after={"amount": str(p.amount), "arrived_at": p.arrived_at, "serial": p.serial},
                             seal_key=sealing.seal_key(lot.pk))
        statement.matched, statement.unmatched = matched, unmatched
        statement.save(update_fields=["matched", "unmatched"])
        # No open entry for the import itself: how many rows a statement had, on a day when one lot is open, would
        # count its bidders in the public log. The import row keeps who imported which file (by hash); each matched
        # arrival is logged above, sealed against its lot.
    return statement


def statement_imports_visible(*, user, center):
    _staff_center(user, center)
    return BankStatementImport.objects.filter(center=center)[:50]


def arrivals_unmatched(*, user, center):
    """Arrivals on no sub-account: to be returned to their payer (they name no lot, so their payer is shown)."""
    _staff_center(user, center)
    return BankArrival.objects.filter(center=center, bond__isnull=True).order_by("returned_at", "arrived_at")


def arrival_return_mark(*, actor, arrival: BankArrival, reference: str) -> BankArrival:
    """Staff record that an unmatched arrival went back to its payer, with the bank's reference."""
    _staff_center(actor, arrival.center)
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise DomainError("请填写银行退款凭证号（最多64个字符）", field="reference")
    if arrival.bond_id is not None:
        raise Conflict("该笔到账已匹配保证金，按保证金退还办理", field="reference")
    with transaction.atomic():
        if not BankArrival.objects.filter(pk=arrival.pk, returned_at__isnull=True).update(
                returned_at=clock.now(), return_reference=reference):
            raise Conflict("该笔到账已退回", field="reference")
        audit_record(actor=actor, action="bond.arrival_return", obj=arrival, center_id=arrival.center_id,
                     after={"reference": reference})
    arrival.refresh_from_db()
    return arrival


# --- electronic guarantees ------------------------------------------------------------------------------------
def guarantee_records_import(*, actor, center, issuer: GuaranteeIssuer, data: bytes) -> dict:
    """Import an issuer's guarantee records (CSV the issuer delivers to the center); idempotent by 保函编号; a
    malformed row names its row and column and changes nothing. Applicants are kept as tags, sealed."""
    _staff_center(actor, center)
    rows = _table(data, GUARANTEE_COLUMNS)
    lots = {lot.code: lot for lot in Lot.objects.select_related("project__center").filter(
        code__in={r["标段编号"] for _n, r in rows})}
    parsed, seen = [], set()
    for number, row in rows:
        code = _required(number, row, "保函编号", 64)
        if code in seen:
            raise _cell_error(number, "保函编号", f"{code} 在本文件中重复")
        seen.add(code)
        credit = _required(number, row, "申请人统一社会信用代码", 18).upper()
        lot = lots.get(_required(number, row, "标段编号", 32))
        if lot is None:
            raise _cell_error(number, "标段编号", f"{row['标段编号']} 不是本平台的标段")
        try:
            valid_until = dt.date.fromisoformat(_required(number, row, "有效期至", 10))
        except ValueError:
            raise _cell_error(number, "有效期至", "应为日期 YYYY-MM-DD") from None
        parsed.append((number, code, credit, lot, _required(number, row, "受益人", 200),
                       _amount(number, row, "担保金额"), valid_until))
    created = skipped = 0
    with transaction.atomic():
        existing = {g.number: g for g in GuaranteeRecord.objects.filter(number__in=seen)}
        for number, code, credit, lot, beneficiary, amount, valid_until in parsed:
            old = existing.get(code)
            if old is not None:
                if (old.issuer_id, old.lot_code, old.amount, old.valid_until) != (issuer.pk, lot.code, amount,
                                                                                  valid_until):
                    raise _cell_error(number, "保函编号", f"{code} 已导入，但内容与本次不一致")
                skipped += 1
                continue
            GuaranteeRecord.objects.create(
                issuer=issuer, number=code, applicant_tag=sealing.guarantee_applicant_tag(credit),
                applicant_sealed=sealing.seal_small(lot, {"credit_code": credit}), beneficiary=beneficiary,
                lot_code=lot.code, amount=amount, valid_until=valid_until, imported_at=clock.now())
            created += 1
        # like a statement import, not logged openly: its row count could count a lot's bidders
    return {"rows": len(parsed), "created": created, "duplicates": skipped}


def bond_guarantee_submit(*, actor, lot: Lot, number: str) -> BidBond:
    """The bidder offers an electronic guarantee (电子保函 / 保证保险) by its number; it is checked against the
    issuer's record: this lot, this bidder, the tenderer as beneficiary, the full amount, valid for the bid validity."""
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
    if record.amount < lot.bond_amount:
        raise DomainError(f"保函金额不足：应缴 {money_text(lot.bond_amount)}，保函金额 {money_text(record.amount)}",
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
    _staff_center(user, center)
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
    _staff_center(actor, lot.project.center)
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
