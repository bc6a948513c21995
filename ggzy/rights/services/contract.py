"""The contract after a sale and its payment schedule (issue 15 item 6): the center records the signed contract —
number, date, and the schedule of the balance (the price less the winner's deposit, which is credited towards it) —
once both sides have confirmed the deal; then each payment as it arrives, with the bank's reference.

Paying in instalments is allowed only where the template says how (state property, order 32: at least 30 % down
— the deposit credited plus the first instalment — and the last payment within one year of signing); under a
template without these numbers the balance is paid at once. Late and overdue payments are marked, never refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ggzy.accounts.roles import Role
from ggzy.catalog import selectors as catalog
from ggzy.catalog.selectors import PeriodMissing
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound
from ggzy.core.money import format_yuan, number_text, yuan

from ..choices import ListingOutcome, ListingState
from ..models import RightsConfirmation, RightsContract, RightsInstalment, RightsListing, RightsSettlement
from .common import listing_locked

DOWN_KEY, TERM_KEY = "instalment_down_payment_min", "instalment_term_max"
INSTALMENTS_MAX = 12


def _staff_of(actor, listing: RightsListing, field: str) -> None:
    if actor is None or getattr(actor, "role", None) not in (Role.CENTER_STAFF, Role.ADMIN):
        raise NotAllowed("只有交易中心工作人员可以登记合同和价款支付", field=field)
    if actor.role == Role.CENTER_STAFF and actor.center_id != listing.center_id:
        raise NotAllowed("只能办理本中心的项目", field=field)


def _date(value: object, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise DomainError(f"{label}须为日期（年-月-日）", field=field)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError(f"{label}须为日期，格式为 2026-03-31", field=field) from None


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def template_limit(listing: RightsListing, key: str) -> int | None:
    try:
        return int(catalog.period_value(listing.template_version, key))
    except PeriodMissing:
        return None


def price_and_credit(listing: RightsListing) -> tuple[Decimal, Decimal]:
    """The price and the part of it the winner's deposit pays (turned into payment on the close)."""
    price = listing.current_price or Decimal(0)
    deposit = RightsSettlement.objects.filter(registration_id=listing.leading_id).values_list("amount", flat=True)
    return price, min(next(iter(deposit), Decimal(0)), price)


def _schedule(rows: object, balance: Decimal, signed_on: dt.date, listing: RightsListing,
              credited: Decimal) -> list[tuple[dt.date, Decimal]]:
    """Check the schedule of the balance; every error names its row (``instalments.N.due_on``)."""
    if not isinstance(rows, list) or len(rows) > INSTALMENTS_MAX:
        raise DomainError(f"付款计划须为列表，最多{INSTALMENTS_MAX}期", field="instalments")
    errors: dict[str, str] = {}
    schedule: list[tuple[dt.date, Decimal]] = []
    for n, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"instalments.{n}"] = f"第{n + 1}期须包含应付日期和金额"
            continue
        try:
            due_on = _date(row.get("due_on"), f"instalments.{n}.due_on", f"第{n + 1}期应付日期")
            amount = yuan(row.get("amount"), field=f"instalments.{n}.amount", label=f"第{n + 1}期金额")
        except DomainError as exc:
            errors |= {k: "；".join(v) for k, v in exc.errors.items()}
            continue
        if amount <= 0:
            errors[f"instalments.{n}.amount"] = f"第{n + 1}期金额须大于0"
        elif due_on < signed_on:
            errors[f"instalments.{n}.due_on"] = f"第{n + 1}期应付日期不得早于合同签订日期"
        elif schedule and due_on < schedule[-1][0]:
            errors[f"instalments.{n}.due_on"] = f"第{n + 1}期应付日期不得早于上一期"
        else:
            schedule.append((due_on, amount))
    if errors:
        raise DomainError(errors=errors)
    total = sum((amount for _, amount in schedule), Decimal(0))
    if total != balance:
        raise DomainError(f"各期金额合计{format_yuan(total)}，应等于成交价款减去转作价款的保证金后的余额"
                          f"{format_yuan(balance)}", field="instalments")
    if len(schedule) > 1:
        down, term = template_limit(listing, DOWN_KEY), template_limit(listing, TERM_KEY)
        if down is None or term is None:
            raise DomainError("本项目的流程模板未规定分期付款，余额须一次付清", field="instalments")
        price = balance + credited
        if (credited + schedule[0][1]) * 100 < price * down:
            raise DomainError(f"分期付款的首期（含转作价款的保证金）不得低于成交价款的{down}%"
                              f"（{format_yuan(price * down / 100)}）", field="instalments.0.amount")
        last = _years_later(signed_on, term)
        if schedule[-1][0] > last:
            raise DomainError(f"分期付款的期限自合同签订之日起不得超过{term}年（最晚{last:%Y-%m-%d}）",
                              field=f"instalments.{len(schedule) - 1}.due_on")
    return schedule


def contract_record(*, actor, listing_id: int, number: str, signed_on: object, instalments: object
                    ) -> RightsContract:
    """Record the signed contract and its payment schedule, once, after both sides confirmed the deal."""
    number = (number or "").strip() if isinstance(number, str) else ""
    if not number or len(number) > 64:
        raise DomainError("请填写合同编号（不超过64个字符）", field="number")
    signed = _date(signed_on, "signed_on", "合同签订日期")
    with transaction.atomic():
        listing = listing_locked(listing_id)
        _staff_of(actor, listing, "listing")
        if listing.state != ListingState.CLOSED or listing.outcome != ListingOutcome.SOLD or listing.leading is None:
            raise Conflict("只有已成交的项目可以登记合同", field="listing")
        confirmation = RightsConfirmation.objects.filter(listing=listing).first()
        if confirmation is None or confirmation.winner_confirmed_at is None or \
                confirmation.grantor_confirmed_at is None:
            raise Conflict("成交确认书须经竞得人和出让方双方确认后方可登记合同", field="listing")
        if RightsContract.objects.filter(listing=listing).exists():
            raise Conflict("本项目已登记合同", field="listing")
        if signed < timezone.localdate(listing.closed_at or clock.now()) or signed > clock.today():
            raise DomainError("合同签订日期须在竞价结束之后、不晚于今天", field="signed_on")
        price, credited = price_and_credit(listing)
        schedule = _schedule(instalments, price - credited, signed, listing, credited)
        contract = RightsContract.objects.create(listing=listing, number=number, signed_on=signed, price=price,
                                                 deposit_credited=credited, recorded_by=actor,
                                                 recorded_at=clock.now())
        RightsInstalment.objects.bulk_create(
            RightsInstalment(contract=contract, number=i, due_on=due_on, amount=amount)
            for i, (due_on, amount) in enumerate(schedule, start=1))
        audit_record(actor=actor, action="rights.contract_record", obj=listing,
                     after={"number": number, "signed_on": signed.isoformat(), "price": number_text(price),
                            "deposit_credited": number_text(credited),
                            "instalments": [[d.isoformat(), number_text(a)] for d, a in schedule]})
    return contract


def instalment_pay(*, actor, instalment_id: int, reference: str) -> RightsInstalment:
    """The center records one payment received, with the bank's reference, once; a late one is marked."""
    reference = (reference or "").strip() if isinstance(reference, str) else ""
    if not reference or len(reference) > 64:
        raise DomainError("请填写银行凭证号（不超过64个字符）", field="reference")
    with transaction.atomic():
        instalment = (RightsInstalment.objects.select_for_update().select_related("contract__listing")
                      .filter(pk=instalment_id).first())
        if instalment is None:
            raise NotFound("价款支付期次不存在", field="instalment")
        _staff_of(actor, instalment.contract.listing, "instalment")
        if instalment.paid_at is not None:
            raise Conflict("该期价款已登记到账", field="instalment")
        instalment.paid_at, instalment.reference, instalment.paid_recorded_by = clock.now(), reference, actor
        instalment.save(update_fields=["paid_at", "reference", "paid_recorded_by"])
        audit_record(actor=actor, action="rights.instalment_pay", obj=instalment.contract.listing,
                     after={"instalment": instalment.number, "amount": number_text(instalment.amount),
                            "reference": reference, "late": instalment_late(instalment)})
    return instalment


def instalment_late(instalment: RightsInstalment, today: dt.date | None = None) -> bool:
    """Paid after its due day, or still unpaid past it."""
    if instalment.paid_at is not None:
        return timezone.localtime(instalment.paid_at).date() > instalment.due_on
    return (today or clock.today()) > instalment.due_on
