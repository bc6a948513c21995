"""Stage 1–2: project registration, acceptance, documents, fair-competition review, publication, clarification."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ggzy.catalog import selectors as catalog_selectors
from ggzy.core import clock
from ggzy.core.audit import audit_record, snapshot
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.identifiers import child_code_issue, project_code_issue
from ggzy.core.money import number_text, plain_decimal, yuan
from ggzy.disclosure.services import notice_publish

from .. import policies, rules
from ..choices import LotState, Method, ProcurementObject, ProjectState
from ..fair_review import review_text
from ..models import Clarification, FairCompetitionFinding, Lot, Project
from ..procedures import lot_fresh, procedure_class, procedure_for
from . import notices, tender_documents
from .custody import lot_opening_key_at_publication
from .intention import require_intention_period


def _template_method(method: str) -> tuple[str, str]:
    """(catalog category code, catalog template method) for a tendering method (the procedure class says)."""
    procedure = procedure_class(method)
    return procedure.template_category, procedure.template_method


def project_register(*, actor, center, region, title: str, method: str, estimated_price, description: str = "",
                     lots: list[dict], agency=None, tenderer=None) -> Project:
    """A tenderer (or its agency) registers a project and its lots; the center then accepts or returns it."""
    if not policies.can_register_project(actor):
        raise NotAllowed("只有招标人或招标代理机构可以登记项目")
    own = policies.acting_entity_verified(actor)
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = "项目名称不能为空"
    if method not in Method.values:
        errors["method"] = "交易方式无效"
    if region is None:
        errors["region"] = "请选择项目所在地"
    if not lots:
        errors["lots"] = "至少登记一个标段"
    if errors:
        raise DomainError(errors=errors)
    price = yuan(estimated_price, field="estimated_price", label="估算价")
    if price <= 0:
        raise DomainError("估算价必须大于0", field="estimated_price")
    if actor.role == "agency":
        if tenderer is None:
            raise DomainError("代理机构登记项目须指定招标人", field="tenderer")
        agency = own
    else:
        tenderer, agency = own, agency
    category_code, template_method = _template_method(method)
    now = clock.now()
    version = catalog_selectors.template_version_in_force(category_code=category_code, method=template_method,
                                                          on_date=clock.today())
    if version is None:
        raise DomainError("该交易方式没有现行有效的流程模板，请联系省交易中心", field="method")
    lot_rows = [_lot_clean(i, row, method=method, version=version) for i, row in enumerate(lots)]
    with transaction.atomic():
        code = project_code_issue(region_code=center.region.code, category_code=category_code)
        project = Project.objects.create(
            code=code, center=center, region=region, title=title.strip(), category_code=category_code,
            method=method, template_version_id=version.pk, tenderer=tenderer, agency=agency,
            estimated_price=price, description=description, created_at=now, created_by=actor)
        tender_code = child_code_issue(parent_code=code, level="tender")
        for row in lot_rows:
            Lot.objects.create(project=project, code=child_code_issue(parent_code=tender_code, level="lot"),
                               tender_code=tender_code, **row)
        audit_record(actor=actor, action="project.register", obj=project, center_id=center.pk,
                     after=snapshot(project))
    return project


def _lot_clean(index: int, row: dict, *, method: str, version) -> dict:
    prefix = f"lots.{index}."
    procedure = procedure_class(method)
    terms = procedure.lot_terms_errors(row, prefix=prefix)
    if terms:
        raise DomainError(errors=terms)
    name = (row.get("name") or "").strip()
    if not name:
        raise DomainError("标段名称不能为空", field=prefix + "name")
    price = yuan(row.get("estimated_price"), field=prefix + "estimated_price", label="标段估算价")
    if price <= 0:
        raise DomainError("标段估算价必须大于0", field=prefix + "estimated_price")
    cleaned = {"name": name, "estimated_price": price, **procedure.lot_defaults()}
    for key in ("evaluation_method", "tie_break", "qualification_required"):
        if row.get(key):
            cleaned[key] = row[key]
    if row.get("price_weight") is not None:
        cleaned["price_weight"] = plain_decimal(row["price_weight"], field=prefix + "price_weight",
                                                label="价格分权重", maximum=Decimal(100))
    kind = row.get("procurement_object") or ""
    if kind:
        if kind not in ProcurementObject.values:
            raise DomainError("采购标的类型只能是货物（goods）、服务（services）或工程（works）",
                              field=prefix + "procurement_object")
        cleaned["procurement_object"] = kind
    terms = procedure.lot_template_errors(cleaned, version=version, prefix=prefix)
    if terms:
        raise DomainError(errors=terms)
    return cleaned


def project_accept(*, actor, project: Project) -> Project:
    if not policies.can_review_project(actor, project):
        raise NotAllowed("只有本中心工作人员可以受理项目")
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.state != ProjectState.SUBMITTED:
            raise Conflict("项目不在待受理状态", field="state")
        locked.state = ProjectState.ACCEPTED
        locked.accepted_at = clock.now()
        locked.save(update_fields=["state", "accepted_at"])
        audit_record(actor=actor, action="project.accept", obj=locked, before={"state": ProjectState.SUBMITTED},
                     after={"state": locked.state})
    return locked


def project_return(*, actor, project: Project, reason: str) -> Project:
    if not policies.can_review_project(actor, project):
        raise NotAllowed("只有本中心工作人员可以退回项目")
    if not (reason or "").strip():
        raise DomainError("请填写退回原因", field="reason")
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.state != ProjectState.SUBMITTED:
            raise Conflict("项目不在待受理状态", field="state")
        locked.state = ProjectState.RETURNED
        locked.return_reason = reason.strip()
        locked.save(update_fields=["state", "return_reason"])
        audit_record(actor=actor, action="project.return", obj=locked, before={"state": ProjectState.SUBMITTED},
                     after={"state": locked.state, "reason": locked.return_reason})
    return locked


def _require_accepted(lot: Lot) -> None:
    """Read from the database: the caller's copy of the project may predate the acceptance."""
    if Project.objects.filter(pk=lot.project_id).values_list("state", flat=True).get() != ProjectState.ACCEPTED:
        raise Conflict("项目尚未受理", field="state")


def lot_schedule(*, actor, lot: Lot, notice_text: str, documents_sale_end: dt.datetime, bid_deadline: dt.datetime,
                 bond_amount=None) -> list[FairCompetitionFinding]:
    """The owner sets the dates and the notice text; the fair-competition review runs and its findings are kept."""
    lot = lot_fresh(lot)
    if not policies.can_prepare_lot(actor, lot):
        raise NotAllowed("只有招标人或其代理机构可以编制招标公告")
    procedure_for(lot).require(LotState.DRAFT)
    if not (notice_text or "").strip():
        raise DomainError("公告正文不能为空", field="notice_text")
    bond = yuan(bond_amount if bond_amount not in (None, "") else 0, field="bond_amount", label="投标保证金")
    cap = lot.estimated_price * rules.period(lot.project, "bid_bond_max_percent") / 100
    if bond > cap:
        raise DomainError(f"投标保证金不得超过估算价的{number_text(rules.period(lot.project, 'bid_bond_max_percent'))}%"
                          f"（{cap:,.2f}元）", field="bond_amount")
    now = clock.now()
    _check_periods(lot, issued_at=now, sale_end=documents_sale_end, deadline=bid_deadline)
    findings = review_text(notice_text)
    with transaction.atomic():
        lot.bond_amount = bond
        lot.documents_sale_end = documents_sale_end
        lot.bid_deadline = bid_deadline
        lot.notice_text = notice_text.strip()
        lot.save(update_fields=["bond_amount", "documents_sale_end", "bid_deadline", "notice_text"])
        lot.fair_findings.all().delete()
        rows = FairCompetitionFinding.objects.bulk_create([
            FairCompetitionFinding(lot=lot, kind=f.kind, excerpt=f.excerpt, explanation=f.explanation, found_at=now)
            for f in findings])
        audit_record(actor=actor, action="lot.schedule", obj=lot, center_id=lot.project.center_id,
                     after={"bid_deadline": bid_deadline, "documents_sale_end": documents_sale_end,
                            "bond_amount": bond, "fair_findings": len(rows)})
    return rows


def _check_periods(lot: Lot, *, issued_at: dt.datetime, sale_end: dt.datetime, deadline: dt.datetime) -> None:
    project = lot.project
    errors: dict[str, str] = {}
    if deadline < rules.after(project, "documents_to_deadline_min", issued_at):
        # 招标投标法 Art. 24: at least 20 days from issuing the documents to the deadline.
        errors["bid_deadline"] = f"自招标文件发出之日至投标截止时间不得少于{rules.describe(project, 'documents_to_deadline_min')}"
    if procedure_for(lot).uses_tender_documents_sale:
        if sale_end < rules.after(project, "documents_sale_min", issued_at):
            # 招标投标法实施条例 Art. 16: documents on sale for at least 5 days.
            errors["documents_sale_end"] = f"招标文件发售期不得少于{rules.describe(project, 'documents_sale_min')}"
        elif sale_end > deadline:
            errors["documents_sale_end"] = "招标文件发售截止不得晚于投标截止时间"
    if errors:
        raise DomainError(errors=errors)


def fair_findings_acknowledge(*, actor, lot: Lot) -> int:
    """The center has seen every finding (each is recorded with who acknowledged it)."""
    if not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以确认公平竞争审查结果")
    with transaction.atomic():
        count = lot.fair_findings.filter(acknowledged_by__isnull=True).update(acknowledged_by=actor)
        audit_record(actor=actor, action="lot.fair_review_acknowledge", obj=lot, center_id=lot.project.center_id,
                     after={"acknowledged": count})
    return count


def lot_publish(*, actor, lot: Lot) -> Lot:
    """The center publishes the notice and documents; the periods are checked again against the clock."""
    lot = lot_fresh(lot)
    if not policies.can_publish_lot(actor, lot):
        raise NotAllowed("只有本中心工作人员可以发布招标公告")
    procedure = procedure_for(lot)
    procedure.require(LotState.DRAFT)
    _require_accepted(lot)
    if lot.bid_deadline is None or not lot.notice_text or not lot.documents.exists():
        raise Conflict("请先上传招标文件并设置投标截止时间", field="documents")
    if lot.fair_findings.filter(acknowledged_by__isnull=True).exists():
        raise Conflict("公平竞争审查发现尚未全部确认", field="fair_findings")
    require_intention_period(lot)  # 采购意向公开 (GP): not before its period has run
    now = clock.now()
    _check_periods(lot, issued_at=now, sale_end=lot.documents_sale_end or lot.bid_deadline, deadline=lot.bid_deadline)
    with transaction.atomic():
        lot = Lot.objects.select_for_update().select_related("project__center").get(pk=lot.pk)
        procedure = procedure_for(lot)
        lot.documents_issued_at = now
        lot.save(update_fields=["documents_issued_at"])
        tender_documents.documents_publish_pending(lot=lot, at=now)
        text = notices.tender_notice(lot)
        notice = notice_publish(
            actor=actor, center=lot.project.center, region=lot.project.region, notice_type=text.notice_type,
            category_code=lot.project.category_code, title=text.title, body=text.body, project_code=lot.code,
            budget=lot.estimated_price, deadline=lot.bid_deadline, links=text.links, attachments=text.attachments)
        lot.notice_id = notice.pk
        lot.save(update_fields=["notice_id"])
        procedure.transition(actor=actor, to=LotState.PUBLISHED)
        # The custodians' opening key is made now, so every bidder seals to the same key from the first day; with
        # fewer than 2 active custodians the lot is published without one (client-sealed bids are then refused).
        lot_opening_key_at_publication(actor=actor, lot=lot)
    return lot


def lot_clarify(*, actor, lot: Lot, text: str, new_deadline: dt.datetime | None = None) -> Clarification:
    """A clarification or change. Less than the template's period before the deadline moves the deadline to
    (now + period) automatically, and every signed-up bidder is told (招标投标法实施条例 Art. 21)."""
    lot = lot_fresh(lot)
    if not (policies.can_prepare_lot(actor, lot) or policies.can_publish_lot(actor, lot)):
        raise NotAllowed("只有招标人、代理机构或本中心工作人员可以发布澄清")
    procedure_for(lot).require(LotState.PUBLISHED)
    if not (text or "").strip():
        raise DomainError("澄清内容不能为空", field="text")
    now = clock.now()
    # 招标投标法实施条例 Art. 21: a change less than 15 days before the deadline moves the deadline.
    earliest = rules.after(lot.project, "clarification_before_deadline_min", now)
    current = lot.bid_deadline or earliest
    deadline = max(current, new_deadline or current, earliest)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction.atomic():
        locked = Lot.objects.select_for_update().get(pk=lot.pk)
        old = locked.bid_deadline or current
        locked.bid_deadline = deadline
        locked.save(update_fields=["bid_deadline"])
        # Who signed up is sealed: a public change notice is published, and every user who downloaded the
        # documents is told by 站内消息, found through the sealed download log (no count is kept or shown).
        clarification = Clarification.objects.create(lot=locked, text=text.strip(), published_at=now,
                                                     old_deadline=old, new_deadline=deadline)
        documents = tender_documents.documents_publish_pending(lot=locked, at=now, clarification=clarification)
        tender_documents.clarification_notify(lot=locked, clarification=clarification, documents=documents)
        moved = deadline != old
        notice_publish(
            actor=actor, by_procedure=True, center=locked.project.center, region=locked.project.region,
            notice_type="change", category_code=locked.project.category_code,
            title=f"{locked.project.title}（{locked.name}）变更公告",
            body=text.strip() + (f"\n投标截止时间顺延至 {timezone.localtime(deadline):%Y-%m-%d %H:%M}。" if moved else ""),
            project_code=locked.code, deadline=deadline, links=notices.lot_links(locked, signup=True))
        audit_record(actor=actor, action="lot.clarify", obj=locked, center_id=locked.project.center_id,
                     before={"bid_deadline": old}, after={"bid_deadline": deadline, "text_sha256": digest})
    return clarification


