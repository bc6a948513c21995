"""Deposits through virtual sub-accounts (issue 15 item 2): every registration gets its own 18-digit sub-account of
the center's deposit account (虚拟子账号, from a keyed HMAC of listing and registration: the number names neither);
the center imports the account's bank statement (the same CSV as the bid bond account, ``core.statements``) and
each arrival is matched to its registration by the sub-account.

The import is atomic (a bad row is named by row and column and nothing is kept) and idempotent by 流水号 (a row
imported again with another amount or sub-account is refused). Arrivals on time add up; when they reach the
announced deposit the registration's deposit is received (and with the qualification passed, the bidder is
admitted with a paddle). An arrival after the registration closed is kept and marked late — it never admits — and
an arrival matching no registration is listed for the center to return. Like a registration, a matched arrival is
logged sealed against its listing until the close; the import writes no open entry (its row count on a quiet day
would count bidders)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.crypto import salted_hmac

from ggzy.accounts.roles import Role
from ggzy.core import clock, statements
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound

from ..choices import ListingState
from ..models import RightsDepositArrival, RightsDepositImport, RightsRegistration
from .common import seal_key_for


def subaccount_for(*, listing_id: int, registration_id: int) -> str:
    """``8`` + 17 digits (the bid bond sub-accounts start with ``9``, so the two never meet)."""
    digest = salted_hmac("ggzy.rights.deposit-subaccount", f"listing:{listing_id}|registration:{registration_id}",
                         algorithm="sha256").digest()
    return "8" + str(int.from_bytes(digest[:16], "big") % 10**17).zfill(17)


def staff_center(user, code: str = ""):
    """The center whose deposit account a staff member handles: its own, or (admin, provincial) the one named."""
    from ggzy.registry.models import Center

    if code and (getattr(user, "role", None) == Role.ADMIN or getattr(user, "is_provincial", False)):
        center = Center.objects.filter(code=code[:6]).first()
        if center is None:
            raise NotFound("交易中心不存在", field="center")
        return center
    if getattr(user, "center", None) is None:
        raise NotAllowed("请指定交易中心", field="center")
    return user.center


def _staff_of_center(actor, center) -> None:
    if actor is None or getattr(actor, "role", None) not in (Role.CENTER_STAFF, Role.ADMIN):
        raise NotAllowed("只有交易中心工作人员可以导入保证金对账单", field="file")
    if actor.role == Role.CENTER_STAFF and actor.center_id != center.pk:
        raise NotAllowed("只能办理本中心的保证金账户", field="center")


def _apply_arrival(actor, arrival: RightsDepositArrival, registration: RightsRegistration) -> None:
    """Count an on-time arrival towards its registration's deposit; admit when it reaches the announced amount."""
    from .registration import admit_if_ready, registration_save

    listing = registration.listing
    on_time = RightsDepositArrival.objects.filter(registration=registration, late=False)
    total = on_time.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    registration.deposit_amount = total
    if registration.deposit_received_at is None and total >= listing.deposit:
        registration.deposit_received_at = arrival.arrived_at
        registration.deposit_reference = arrival.serial
        admit_if_ready(registration)
    registration_save(registration)
    audit_record(actor=actor, action="rights.deposit_arrival", obj=registration, seal_key=seal_key_for(listing.pk),
                 after={"amount": arrival.amount, "serial": arrival.serial, "arrived_at": arrival.arrived_at,
                        "total": total})


def deposit_statement_import(*, actor, center, data: bytes, file_name: str = "") -> RightsDepositImport:
    """Import the center's deposit account statement (CSV, UTF-8 or GBK) and match every arrival."""
    _staff_of_center(actor, center)
    parsed = statements.parse_statement(data)
    with transaction.atomic():
        existing = {a.serial: a for a in RightsDepositArrival.objects.select_for_update().filter(
            center=center, serial__in=[p.serial for p in parsed])}
        for p in parsed:
            old = existing.get(p.serial)
            if old is not None and (old.amount != p.amount or old.subaccount != p.subaccount):
                raise statements.cell_error(p.number, "流水号", f"{p.serial} 已导入，但金额或收款子账号与本次不一致")
        statement = RightsDepositImport.objects.create(
            center=center, imported_by=actor, imported_at=clock.now(), file_name=(file_name or "")[:200],
            sha256=hashlib.sha256(data).hexdigest(), rows=len(parsed), duplicates=len(existing))
        registrations = {r.subaccount: r for r in RightsRegistration.objects.select_for_update()
                         .select_related("listing").filter(subaccount__in={p.subaccount for p in parsed},
                                                           listing__center=center)}
        matched = unmatched = 0
        for p in parsed:
            if p.serial in existing:
                continue
            registration = registrations.get(p.subaccount)
            late = registration is not None and (p.arrived_at >= registration.listing.registration_closes_at
                                                 or registration.listing.state == ListingState.CLOSED)
            arrival = RightsDepositArrival.objects.create(
                center=center, statement=statement, serial=p.serial, arrived_at=p.arrived_at,
                subaccount=p.subaccount, amount=p.amount, payer_name=p.payer_name, payer_account=p.payer_account,
                payer_bank=p.payer_bank, registration=registration, late=late)
            if registration is None:
                unmatched += 1
                continue
            matched += 1
            if not late:
                _apply_arrival(actor, arrival, registration)
        statement.matched, statement.unmatched = matched, unmatched
        statement.save(update_fields=["matched", "unmatched"])
    return statement


def arrival_return(*, actor, arrival_id: int, reference: str) -> RightsDepositArrival:
    """The center returns an arrival that admits nobody (unmatched, or late) to its payer, once."""
    reference = (reference or "").strip() if isinstance(reference, str) else ""
    if not reference or len(reference) > 64:
        raise DomainError("请填写退回凭证号（不超过64个字符）", field="reference")
    with transaction.atomic():
        arrival = RightsDepositArrival.objects.select_for_update().filter(pk=arrival_id).select_related(
            "center").first()
        if arrival is None:
            raise NotFound("到账记录不存在", field="arrival")
        _staff_of_center(actor, arrival.center)
        if arrival.registration_id is not None and not arrival.late:
            raise Conflict("该款项已计入竞买保证金，按结果退还或转作价款", field="arrival")
        if arrival.returned_at is not None:
            raise Conflict("该款项已退回", field="arrival")
        arrival.returned_at, arrival.return_reference = clock.now(), reference
        arrival.save(update_fields=["returned_at", "return_reference"])
    return arrival


def arrivals_to_return(*, user, center) -> list[RightsDepositArrival]:
    """Unmatched and late arrivals not yet returned, for the center's staff."""
    _staff_of_center(user, center)
    rows = RightsDepositArrival.objects.filter(center=center, returned_at__isnull=True)
    return list(rows.filter(registration__isnull=True) | rows.filter(late=True))
