"""Listings: publication with the template's periods, the grantor's sealed reserve (write-once), closing when due."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ggzy.accounts.roles import Role
from ggzy.catalog import calendar
from ggzy.catalog import selectors as catalog
from ggzy.catalog.choices import PeriodUnit
from ggzy.catalog.selectors import PeriodMissing
from ggzy.core import clock
from ggzy.core.audit import audit_record, snapshot
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound
from ggzy.core.money import number_text, yuan
from ggzy.ledger import services as ledger
from ggzy.registry.models import Center

from .. import procedures
from ..choices import PROCEDURE_KINDS, ListingState, QualificationTiming
from ..models import RightsListing, RightsReserve, RightsSuspension, RightsWeightFactor
from .common import admitted_counter, hall_changed, listing_locked, moment, seal_key_for, template_number
from .publicity import publicity_due


def _aware(value: object, field: str, label: str) -> dt.datetime:
    at = moment(value, field=field, label=label)
    if at is None:
        raise DomainError(f"请填写{label}", field=field)
    return at


def _optional(version, key: str) -> int | None:
    try:
        return int(catalog.period_value(version, key))
    except PeriodMissing:
        return None


def _unit(version, key: str) -> str:
    return catalog.period_get(version, key).unit


def _check_periods(version, *, announced_at, listing_starts_at, listing_ends_at, auction: bool = False) -> None:
    """The template's minimum periods, each in its own unit (DOMAIN.md: land/mining ≥20 days' notice and ≥10
    working days' listing; state property ≥20 working days' disclosure, a capital increase ≥40; environmental
    rights' notice in working days). An auction's notice runs to the auction time (``listing_ends_at``)."""
    announce_min = _optional(version, "announcement_before_start_min")
    start_day, end_day = timezone.localdate(listing_starts_at), timezone.localdate(listing_ends_at)
    if announce_min is not None:
        announced_day = timezone.localdate(announced_at)
        trading_day, field = (end_day, "listing_ends_at") if auction else (start_day, "listing_starts_at")
        if _unit(version, "announcement_before_start_min") == PeriodUnit.WORKING_DAYS:
            earliest = calendar.add_working_days(announced_day, announce_min).date
            rule = f"{announce_min}个工作日"
        else:
            earliest = calendar.add_calendar_days(announced_day, announce_min).date
            rule = f"{announce_min}日"
        if trading_day < earliest:
            what = "拍卖开始" if auction else "挂牌开始"
            raise DomainError(f"公告发布至{what}不得少于{rule}（{what}不得早于{earliest:%Y-%m-%d}）", field=field)
    listing_min = _optional(version, "listing_period_min")
    if listing_min is not None and calendar.working_days_between(start_day, end_day) < listing_min:
        raise DomainError(f"挂牌期不得少于{listing_min}个工作日", field="listing_ends_at")
    disclosure_min = _optional(version, "disclosure_min")
    if disclosure_min is not None and calendar.working_days_between(timezone.localdate(announced_at),
                                                                    end_day) < disclosure_min:
        raise DomainError(f"信息披露期不得少于{disclosure_min}个工作日", field="listing_ends_at")


def _check_catalog(kind: str, center: Center, on_date: dt.date) -> None:
    """The right's category must be in the catalog in force for the center on the announcement day (the province's
    items, and the city's own extensions: 排污权 and 碳排放权 join city by city)."""
    procedure = PROCEDURE_KINDS[kind]
    try:
        catalog.catalog_item_get(procedure.category_code, on_date=on_date, center=center)
    except NotFound:
        raise DomainError(f"「{procedure.label}」所属交易类别（{procedure.category_code}）不在{center.name}"
                          f"{on_date:%Y-%m-%d}施行的公共资源交易目录中，不能在本平台交易", field="kind") from None


STATE_PROPERTY = "05"
POST_QUALIFICATION_KEY = "qualification_after_winning_allowed"


def _check_appraisal(version, category_code: str, start: Decimal, appraised_value: object, approval_reference: str,
                     *, act: str = "转让") -> tuple[Decimal | None, str]:
    """State property (DOMAIN.md, order 32): the listing price is at least the appraised value; a lower price (a
    reduced re-disclosure) names its approval document, and below 90% of the appraisal
    (``below_appraisal_approval_percent``) that must be the approving authority's written consent. The template
    in force gives both percentages (a capital increase's template carries them too; ``act`` names the act)."""
    approval = (approval_reference or "").strip()
    if len(approval) > 100:
        raise DomainError("批准文件文号不超过100个字符", field="approval_reference")
    if category_code != STATE_PROPERTY:
        if appraised_value not in (None, ""):
            raise DomainError("只有国有产权项目填写评估结果", field="appraised_value")
        return None, approval
    if appraised_value in (None, ""):
        raise DomainError(f"国有产权{act}须填写评估结果", field="appraised_value")
    appraisal = yuan(appraised_value, field="appraised_value", label="评估结果")
    if appraisal <= 0:
        raise DomainError("评估结果须大于0", field="appraised_value")
    floor_percent = Decimal(_optional(version, "listing_price_min_percent_of_appraisal") or 100)
    approval_percent = Decimal(_optional(version, "below_appraisal_approval_percent") or 90)
    if start < appraisal * approval_percent / 100 and not approval:
        raise DomainError(f"挂牌价低于评估结果的{number_text(approval_percent)}%，须经{act}行为批准单位书面同意，"
                          "请填写批准文件文号", field="approval_reference")
    if start < appraisal * floor_percent / 100 and not approval:
        raise DomainError("挂牌价不得低于评估结果；降价重新披露的，请填写降价决策文件文号", field="approval_reference")
    return appraisal, approval


def listing_create(*, actor, center: Center, grantor, kind: str, code: str, title: str, announced_at: dt.datetime,
                   registration_opens_at: dt.datetime, registration_closes_at: dt.datetime,
                   listing_starts_at: dt.datetime, listing_ends_at: dt.datetime, start_price: object,
                   increment: object, deposit: object, quote_ceiling: object = None, appraised_value: object = None,
                   approval_reference: str = "", price_weight: object = None,
                   factors: object = None, qualification_timing: str = QualificationTiming.BEFORE) -> RightsListing:
    """Publish a listing (center staff, for the grantor). The template in force on the announcement day gives the
    minimum periods, the timed round's minutes and bidders, the smallest increment allowed, and whether the
    announcement may state 资格后审 (``qualification_after_winning_allowed``; else only 资格前审). A weighted quote
    (权重报价) announces ``price_weight`` and ``factors`` ([{name, unit, weight, minimum, maximum}], 1–5;
    weighting.py)."""
    if actor is not None and getattr(actor, "role", None) not in (Role.CENTER_STAFF, Role.ADMIN):
        raise NotAllowed("只有交易中心工作人员可以发布挂牌项目", field="__all__")
    if kind not in PROCEDURE_KINDS:
        raise DomainError("交易方式无效", field="kind")
    if getattr(grantor, "role", None) != Role.TENDERER:
        raise DomainError("出让方须为招标人/出让方账户", field="grantor")
    code, title = (code or "").strip(), (title or "").strip()
    if not code or len(code) > 40:
        raise DomainError("项目编号不能为空，且不超过40个字符", field="code")
    if not title or len(title) > 200:
        raise DomainError("名称不能为空，且不超过200个字符", field="title")
    times = {name: _aware(value, name, label) for name, value, label in (
        ("announced_at", announced_at, "公告时间"), ("registration_opens_at", registration_opens_at, "报名开始"),
        ("registration_closes_at", registration_closes_at, "报名截止"),
        ("listing_starts_at", listing_starts_at, "挂牌开始"), ("listing_ends_at", listing_ends_at, "挂牌截止"))}
    if not times["announced_at"] <= times["registration_opens_at"] <= times["listing_starts_at"]:
        raise DomainError("报名开始须在公告之后、挂牌开始之前", field="registration_opens_at")
    if not times["listing_starts_at"] < times["listing_ends_at"]:
        raise DomainError("挂牌截止须晚于挂牌开始", field="listing_ends_at")
    if not times["registration_opens_at"] < times["registration_closes_at"] <= times["listing_ends_at"]:
        raise DomainError("报名截止须在报名开始之后、挂牌截止之前", field="registration_closes_at")
    start = yuan(start_price, field="start_price", label="起始价")
    step = yuan(increment, field="increment", label="增价幅度")
    bond = yuan(deposit, field="deposit", label="竞买保证金")
    if start <= 0:
        raise DomainError("起始价须大于0", field="start_price")
    procedure = PROCEDURE_KINDS[kind]
    # the mode's own terms (一次报价's ceiling, 权重报价's factors), checked by its procedure class
    terms = procedures.procedure_of_kind(kind).validate_terms(start=start, quote_ceiling=quote_ceiling,
                                                              price_weight=price_weight, factors=factors)
    version = catalog.template_version_in_force(category_code=procedure.category_code, method=procedure.method,
                                                on_date=timezone.localdate(times["announced_at"]))
    if qualification_timing not in QualificationTiming.values:
        raise DomainError("资格审查方式无效（资格前审或资格后审）", field="qualification_timing")
    if qualification_timing == QualificationTiming.AFTER and not _optional(version, POST_QUALIFICATION_KEY):
        raise DomainError("本项目的流程模板不允许资格后审（竞得后资格审查），只能资格前审", field="qualification_timing")
    smallest = Decimal(template_number(version, "bid_increment_min"))
    if step < smallest:
        raise DomainError(f"增价幅度不得低于流程模板规定的{number_text(smallest)}元", field="increment")
    _check_catalog(kind, center, timezone.localdate(times["announced_at"]))
    appraisal, approval = _check_appraisal(version, procedure.category_code, start, appraised_value,
                                           approval_reference,
                                           act="增资" if procedure.method == "capital_increase" else "转让")
    _check_periods(version, announced_at=times["announced_at"], listing_starts_at=times["listing_starts_at"],
                   listing_ends_at=times["listing_ends_at"], auction=procedures.procedure_of_kind(kind).opens_at_listing_end)
    with transaction.atomic():
        if RightsListing.objects.filter(code=code).exists():
            raise Conflict("项目编号已存在", field="code")
        listing = RightsListing.objects.create(
            center=center, code=code, title=title, kind=kind, template_version=version, grantor=grantor,
            start_price=start, increment=step, deposit=bond, quote_ceiling=terms.quote_ceiling, appraised_value=appraisal,
            approval_reference=approval, qualification_timing=qualification_timing,
            round_minutes=template_number(version, "timed_round_minutes"),
            bidders_min=template_number(version, "timed_round_bidders_min"), created_at=clock.now(), **times)
        RightsWeightFactor.objects.bulk_create(
            RightsWeightFactor(listing=listing, position=f.position, name=f.name, unit=f.unit, weight=f.weight,
                               minimum=f.minimum, maximum=f.maximum) for f in terms.factors)
        published = snapshot(listing)
        if terms.factors:  # the announced weighting is part of the published terms
            published["weight_factors"] = [{"position": f.position, "name": f.name, "unit": f.unit,
                                            "weight": str(f.weight), "minimum": str(f.minimum), "maximum": str(f.maximum)}
                                           for f in terms.factors]
        audit_record(actor=actor, action="rights.listing_published", obj=listing, after=published)
        publicity_due(listing)  # the announcement on the portal, if its time has come (else the chronograph)
    return listing


def _commitment(listing: RightsListing, amount: Decimal, salt: str) -> str:
    return hashlib.sha256(f"{listing.code}|{amount:.2f}|{salt}".encode()).hexdigest()


def reserve_set(*, actor, listing_id: int, amount: object) -> str:
    """The grantor seals the reserve price (底价) before the close: once only. The ledger records only the
    commitment SHA-256(code|amount|salt); amount and salt are revealed at the close. Returns the commitment."""
    value = yuan(amount, field="reserve", label="底价")
    with transaction.atomic():
        listing = listing_locked(listing_id)
        if actor is None or actor.pk != listing.grantor_id:
            raise NotAllowed("只有本项目的出让方可以设定底价", field="reserve")
        now = clock.now()
        before = listing.state
        if procedures.advance(listing, now, admitted_counter(listing)):
            listing.save()
            record_transitions(listing, before)
        if listing.state == ListingState.CLOSED:
            raise Conflict("挂牌已结束，不能再设定底价", field="reserve")
        if RightsReserve.objects.filter(listing=listing).exists():
            raise Conflict("底价已设定，不能修改", field="reserve")
        if value < listing.start_price:
            raise DomainError("底价不得低于起始价", field="reserve")
        salt = secrets.token_hex(16)
        commitment = _commitment(listing, value, salt)
        RightsReserve.objects.create(listing=listing, amount=value, salt=salt, commitment=commitment, set_at=now)
        audit_record(actor=actor, action="rights.reserve_sealed", obj=listing, after={"commitment": commitment})
    return commitment


def reserve_verify(listing: RightsListing) -> bool:
    """After the close: the revealed reserve matches the commitment recorded before it."""
    reserve = RightsReserve.objects.filter(listing=listing).first()
    if reserve is None or listing.state != ListingState.CLOSED:
        return False
    return _commitment(listing, reserve.amount, reserve.salt) == reserve.commitment


def listing_advance(*, listing_id: int) -> list[str]:
    """Apply the transitions due now under the listing's lock (the scheduler, the hall's stream): idempotent."""
    with transaction.atomic():
        listing = listing_locked(listing_id)
        before = listing.state
        entered = procedures.advance(listing, clock.now(), admitted_counter(listing))
        if entered:
            listing.save()
            record_transitions(listing, before)
        publicity_due(listing)
    return entered


def _resumption_record(listing: RightsListing) -> None:
    """The announced resumption took effect (at its announced time): the suspension record is closed."""
    notice = RightsSuspension.objects.filter(listing=listing, resumed_at__isnull=True).order_by("-pk").first()
    if notice is None:  # pragma: no cover — a suspended listing always has its open record
        return
    notice.resumed_at = notice.resume_at
    notice.save(update_fields=["resumed_at"])
    audit_record(actor=None, action="rights.listing_resumed", obj=listing,
                 after={"resumed_at": notice.resume_at, "from_state": notice.from_state, "until": notice.resumed_until,
                        "current_sequence": listing.current_sequence, "current_price": listing.current_price})


def record_transitions(listing: RightsListing, before: str) -> None:
    """The audit entry of the time-driven transitions just applied (with the reserve revealed at the close); the
    hall's watchers wake after the commit."""
    hall_changed(listing.pk)
    if before == ListingState.SUSPENDED and listing.state != ListingState.SUSPENDED:
        _resumption_record(listing)
    after = {"state": listing.state, "outcome": listing.outcome, "current_sequence": listing.current_sequence,
             "current_price": listing.current_price, "round_ends_at": listing.round_ends_at}
    if listing.state == ListingState.CLOSED:
        reserve = RightsReserve.objects.filter(listing=listing).first()
        if reserve is not None:
            after |= {"reserve": reserve.amount, "reserve_salt": reserve.salt, "commitment": reserve.commitment}
        after["leading_paddle"] = listing.leading.paddle if listing.leading is not None else None
        ledger.seal_lift(seal_key=seal_key_for(listing.pk))
    audit_record(actor=None, action="rights.listing_advanced", obj=listing, before={"state": before}, after=after)
    if listing.state == ListingState.CLOSED:
        from .results import results_prepare

        results_prepare(listing)  # the deposits' settlements and the deal confirmation, in the same transaction
