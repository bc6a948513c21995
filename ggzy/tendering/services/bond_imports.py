"""Bid bonds, what reaches the platform from outside: the bond account's bank statement (arrivals matched to the
sign-ups' sub-accounts) and the issuers' electronic guarantee records, both as files imported by the center's staff.

Each import is atomic (a malformed row is named by row and column, and nothing is imported) and idempotent (by
流水号, by 保函编号). Neither import is logged openly: on a day with one open lot a row count would count its
bidders; each matched arrival is logged sealed against its lot (ADR 0012).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.db.models import F

from ggzy.core import clock, statements
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError
from ggzy.core.statements import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, STATEMENT_COLUMNS, StatementRow  # noqa: F401

from .. import sealing
from ..models import BankArrival, BankStatementImport, BidBond, GuaranteeIssuer, GuaranteeRecord, Lot
from .bonds import staff_center_require

GUARANTEE_COLUMNS = ["保函编号", "申请人统一社会信用代码", "受益人", "标段编号", "担保金额", "有效期至"]


def bank_statement_import(*, actor, center, data: bytes, file_name: str = "") -> BankStatementImport:
    """Import the bond account's statement (CSV, UTF-8 or GBK): every arrival is matched to its sub-account,
    idempotently by 流水号. A malformed row names its row and column, and the import then changes nothing."""
    staff_center_require(actor, center)
    parsed = statements.parse_statement(data)
    with transaction.atomic():
        existing = {a.serial: a for a in BankArrival.objects.select_for_update().filter(
            center=center, serial__in=[p.serial for p in parsed])}
        for p in parsed:
            old = existing.get(p.serial)
            if old is not None and (old.amount != p.amount or old.subaccount != p.subaccount):
                raise statements.cell_error(p.number, "流水号", f"{p.serial} 已导入，但金额或收款子账号与本次不一致")
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
    staff_center_require(user, center)
    return BankStatementImport.objects.filter(center=center)[:50]


def arrivals_unmatched(*, user, center):
    """Arrivals on no sub-account: to be returned to their payer (they name no lot, so their payer is shown)."""
    staff_center_require(user, center)
    return BankArrival.objects.filter(center=center, bond__isnull=True).order_by("returned_at", "arrived_at")


def arrival_return_mark(*, actor, arrival: BankArrival, reference: str) -> BankArrival:
    """Staff record that an unmatched arrival went back to its payer, with the bank's reference."""
    staff_center_require(actor, arrival.center)
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
    staff_center_require(actor, center)
    rows = statements.table(data, GUARANTEE_COLUMNS)
    lots = {lot.code: lot for lot in Lot.objects.select_related("project__center").filter(
        code__in={r["标段编号"] for _n, r in rows})}
    parsed, seen = [], set()
    for number, row in rows:
        code = statements.required(number, row, "保函编号", 64)
        if code in seen:
            raise statements.cell_error(number, "保函编号", f"{code} 在本文件中重复")
        seen.add(code)
        credit = statements.required(number, row, "申请人统一社会信用代码", 18).upper()
        lot = lots.get(statements.required(number, row, "标段编号", 32))
        if lot is None:
            raise statements.cell_error(number, "标段编号", f"{row['标段编号']} 不是本平台的标段")
        try:
            valid_until = dt.date.fromisoformat(statements.required(number, row, "有效期至", 10))
        except ValueError:
            raise statements.cell_error(number, "有效期至", "应为日期 YYYY-MM-DD") from None
        parsed.append((number, code, credit, lot, statements.required(number, row, "受益人", 200),
                       statements.amount(number, row, "担保金额"), valid_until))
    created = skipped = 0
    with transaction.atomic():
        existing = {g.number: g for g in GuaranteeRecord.objects.filter(number__in=seen)}
        for number, code, credit, lot, beneficiary, amount, valid_until in parsed:
            old = existing.get(code)
            if old is not None:
                if (old.issuer_id, old.lot_code, old.amount, old.valid_until) != (issuer.pk, lot.code, amount,
                                                                                  valid_until):
                    raise statements.cell_error(number, "保函编号", f"{code} 已导入，但内容与本次不一致")
                skipped += 1
                continue
            GuaranteeRecord.objects.create(
                issuer=issuer, number=code, applicant_tag=sealing.guarantee_applicant_tag(credit),
                applicant_sealed=sealing.seal_small(lot, {"credit_code": credit}), beneficiary=beneficiary,
                lot_code=lot.code, amount=amount, valid_until=valid_until, imported_at=clock.now())
            created += 1
        # like a statement import, not logged openly: its row count could count a lot's bidders
    return {"rows": len(parsed), "created": created, "duplicates": skipped}
