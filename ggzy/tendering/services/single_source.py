"""单一来源 — government procurement from one supplier (政府采购法 Art. 31, 39; 政府采购法实施条例 Art. 38;
政府采购非招标采购方式管理办法 Arts. 38–43): the reasons and the proposed supplier are publicised for at least the
template's working days; objections are recorded and answered (one upheld ends the method); only after the
publicity the purchaser negotiates with the supplier, records the price basis and publishes the result (成交)."""

from __future__ import annotations

import hashlib

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.money import yuan
from ggzy.disclosure.services import notice_publish
from ggzy.registry.models import MarketEntity

from .. import policies, rules
from ..choices import LotState, ProjectState
from ..models import Lot, SingleSourceDeal, SingleSourceObjection, SingleSourcePublicity
from ..procedures import lot_fresh, procedure_for
from . import notices
from .intention import require_intention_period

TEXT_MAX = 20_000


def _text(value: str, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(f"{label}不能为空", field=field)
    if len(text) > TEXT_MAX:
        raise DomainError(f"{label}不得超过{TEXT_MAX}字", field=field)
    return text


def _single_source_lot(lot: Lot) -> Lot:
    lot = lot_fresh(lot)
    procedure = procedure_for(lot)
    if not procedure.allows(LotState.DRAFT, LotState.PUBLICITY):
        raise Conflict(f"{procedure.label}没有单一来源公示", field="lot")
    return lot


def single_source_publicize(*, actor, lot: Lot, supplier_code: str, reasons: str) -> SingleSourcePublicity:
    """The purchaser (or its agency) publishes the reasons and the proposed supplier; the publicity runs for the
    template's working days (政府采购法实施条例 Art. 38)."""
    lot = _single_source_lot(lot)
    if not policies.can_prepare_lot(actor, lot):
        raise NotAllowed("只有采购人或其代理机构可以发布单一来源公示")
    procedure_for(lot).require(LotState.DRAFT)
    if lot.project.state != ProjectState.ACCEPTED:
        raise Conflict("项目尚未受理", field="state")
    errors: dict[str, str] = {}
    text = (reasons or "").strip()
    if not text:
        errors["reasons"] = "请填写采用单一来源方式的理由"
    elif len(text) > TEXT_MAX:
        errors["reasons"] = f"理由不得超过{TEXT_MAX}字"
    supplier = MarketEntity.objects.filter(credit_code=(supplier_code or "").strip().upper()[:18]).first()
    if supplier is None:
        errors["supplier_code"] = "拟定供应商的统一社会信用代码未在平台登记"
    if errors or supplier is None:
        raise DomainError(errors=errors)
    require_intention_period(lot)  # 采购意向公开: not before its period has run
    now = clock.now()
    ends = rules.after(lot.project, "single_source_publicity_min", now)
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project__center", "project__region").get(pk=lot.pk)
        project = locked.project
        body = "\n".join([
            f"项目名称：{project.title}　采购包：{locked.name}　项目编号：{locked.code}",
            f"预算金额：{notices.money(locked.estimated_price)}",
            f"拟定供应商：{supplier.name}（统一社会信用代码 {supplier.credit_code}）",
            "采用单一来源采购方式的理由：", text,
            f"公示期限：{notices.when(now)}至{notices.when(ends)}"
            f"（不少于{notices.period_text(project, 'single_source_publicity_min')}）。",
            "任何供应商、单位或者个人对采用单一来源采购方式有异议的，可在公示期内通过本平台提出。",
        ])
        notice = notice_publish(actor=actor, by_procedure=True, center=project.center, region=project.region,
                                notice_type="procurement", category_code=project.category_code,
                                title=f"{project.title}（{locked.name}）单一来源采购公示", body=body,
                                project_code=locked.code, budget=locked.estimated_price, deadline=ends,
                                links=notices.lot_links(locked))
        publicity = SingleSourcePublicity.objects.create(lot=locked, supplier=supplier, reasons=text,
                                                         published_at=now, ends_at=ends, notice_id=notice.pk)
        locked.notice_id = notice.pk
        locked.save(update_fields=["notice_id"])
        procedure_for(locked).transition(actor=actor, to=LotState.PUBLICITY)
        audit_record(actor=actor, action="single_source.publicize", obj=publicity, center_id=project.center_id,
                     after={"supplier": supplier.credit_code, "ends_at": ends,
                            "reasons_sha256": hashlib.sha256(text.encode()).hexdigest()})
    return publicity


def single_source_objection_raise(*, actor, lot: Lot, text: str) -> SingleSourceObjection:
    """Anyone signed in may object during the publicity; the objection is recorded and must be answered."""
    lot = _single_source_lot(lot)
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed("请先登录")
    body = _text(text, "text", "异议内容")
    publicity = getattr(lot, "single_source", None)
    now = clock.now()
    if lot.state != LotState.PUBLICITY or publicity is None or now >= publicity.ends_at:
        raise Conflict("不在单一来源公示期内，不能提出异议", field="state")
    with transaction.atomic():
        objection = SingleSourceObjection.objects.create(lot=lot, raised_by=actor, text=body, raised_at=now)
        audit_record(actor=actor, action="single_source.objection", obj=objection, center_id=lot.project.center_id,
                     after={"text_sha256": hashlib.sha256(body.encode()).hexdigest()})
    return objection


def single_source_objection_answer(*, actor, objection: SingleSourceObjection, answer: str,
                                   is_upheld: bool) -> SingleSourceObjection:
    """The purchaser answers in writing. Upheld: single source may not be used; the lot ends (74号令 Art. 39)."""
    lot = _single_source_lot(objection.lot)
    if not policies.can_prepare_lot(actor, lot):
        raise NotAllowed("只有采购人或其代理机构可以答复异议")
    text = _text(answer, "answer", "答复")
    with transaction.atomic():
        locked = SingleSourceObjection.objects.select_for_update().get(pk=objection.pk)
        if locked.answered_at is not None:
            raise Conflict("该异议已答复", field="answer")
        locked.answer, locked.is_upheld, locked.answered_at, locked.answered_by = text, bool(is_upheld), \
            clock.now(), actor
        locked.save(update_fields=["answer", "is_upheld", "answered_at", "answered_by"])
        audit_record(actor=actor, action="single_source.objection_answer", obj=locked,
                     center_id=lot.project.center_id, after={"is_upheld": locked.is_upheld})
        if locked.is_upheld:
            lot_locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
            procedure = procedure_for(lot_locked)
            lot_locked.failure_reason = procedure.failure_reason_text[:255]
            lot_locked.save(update_fields=["failure_reason"])
            procedure.transition(actor=actor, to=LotState.FAILED,
                                 reason=f"{procedure.failure_reason_text}；{procedure.failure_followup_text}")
    return locked


def single_source_negotiation_start(*, actor, lot: Lot) -> Lot:
    """After the publicity, with every objection answered and none upheld, the negotiation with the supplier starts."""
    lot = _single_source_lot(lot)
    if not policies.can_prepare_lot(actor, lot):
        raise NotAllowed("只有采购人或其代理机构可以组织协商")
    procedure_for(lot).require(LotState.PUBLICITY)
    publicity = lot.single_source
    if clock.now() < publicity.ends_at:
        raise Conflict(f"单一来源公示期（不少于{rules.describe(lot.project, 'single_source_publicity_min')}）"
                       "尚未结束，不得开始采购", field="state")
    if lot.single_source_objections.filter(answered_at__isnull=True).exists():
        raise Conflict("尚有公示异议未答复", field="objections")
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project").get(pk=lot.pk)
        procedure_for(locked).transition(actor=actor, to=LotState.NEGOTIATING)
    return locked


def single_source_conclude(*, actor, lot: Lot, price, price_basis: str, minutes: str) -> SingleSourceDeal:
    """The purchaser records the negotiation and the basis of the agreed price, and publishes the result (成交)."""
    lot = _single_source_lot(lot)
    if not policies.can_prepare_lot(actor, lot):
        raise NotAllowed("只有采购人或其代理机构可以记录协商结果")
    procedure_for(lot).require(LotState.NEGOTIATING)
    errors: dict[str, str] = {}
    try:  # every problem at once: the price, its basis and the record
        amount = yuan(price, field="price", label="成交价格")
    except DomainError as exc:
        errors["price"], amount = exc.message, None
    if amount is None:
        pass
    elif amount <= 0:
        errors["price"] = "成交价格必须大于0"
    elif amount > lot.estimated_price:
        errors["price"] = "成交价格不得超过采购预算"
    for field, label, value in (("price_basis", "价格依据", price_basis), ("minutes", "协商情况记录", minutes)):
        if not (value or "").strip():
            errors[field] = f"请填写{label}"
        elif len(value) > TEXT_MAX:
            errors[field] = f"{label}不得超过{TEXT_MAX}字"
    if errors or amount is None:
        raise DomainError(errors=errors)
    if SingleSourceDeal.objects.filter(lot=lot).exists():
        raise Conflict("协商结果已记录", field="lot")
    now = clock.now()
    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project__center", "project__region").get(pk=lot.pk)
        project = locked.project
        supplier = locked.single_source.supplier
        deal = SingleSourceDeal.objects.create(lot=locked, price=amount, price_basis=price_basis.strip(),
                                               minutes=minutes.strip(), concluded_at=now, concluded_by=actor)
        body = "\n".join([
            f"项目名称：{project.title}　采购包：{locked.name}　项目编号：{locked.code}",
            "采购方式：单一来源",
            f"成交供应商：{supplier.name}",
            f"成交金额：{notices.money(amount)}",
            f"公告期限：自本公告发布之日（{notices.day(now)}）起{notices.period_text(project, 'candidates_publicity_min')}。",
            f"供应商认为成交结果使自己的权益受到损害的，可以在知道或者应知其权益受到损害之日起"
            f"{notices.period_text(project, 'challenge_within')}内以书面形式提出质疑。",
        ])
        notice_publish(actor=actor, by_procedure=True, center=project.center, region=project.region,
                       notice_type="result", category_code=project.category_code,
                       title=f"{project.title}（{locked.name}）成交结果公告", body=body, project_code=locked.code,
                       budget=amount, links=notices.lot_links(locked))
        locked.candidates_published_at = now
        locked.save(update_fields=["candidates_published_at"])
        procedure_for(locked).transition(actor=actor, to=LotState.CANDIDATES, reason="单一来源协商完成，成交结果公告")
        audit_record(actor=actor, action="single_source.conclude", obj=deal, center_id=project.center_id,
                     after={"price": amount, "supplier": supplier.credit_code,
                            "price_basis_sha256": hashlib.sha256(price_basis.strip().encode()).hexdigest()})
    return deal
