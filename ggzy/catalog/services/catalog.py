"""The catalog (versions, items, city extensions, consultations) and the rules list."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record, snapshot
from ggzy.core.errors import Conflict, DomainError, NotAllowed

from .. import policies
from ..choices import CatalogVersionStatus
from ..models import CatalogItem, CatalogVersion, CityCatalogExtension, Consultation, Rule
from ..selectors import catalog_in_force

PROVINCE_ONLY = "只有省级交易中心可以维护交易目录和制度规则"

ModelT = TypeVar("ModelT", bound=models.Model)


def _validated(record: models.Model) -> None:
    try:
        record.full_clean()
    except ValidationError as exc:
        raise DomainError(errors=exc.message_dict) from None


def _audited_save(*, actor: Any, record: ModelT, action: str) -> ModelT:
    """Validate, save and audit one record (create or update) in the caller's transaction."""
    _validated(record)
    model = type(record)
    before = snapshot(model._default_manager.get(pk=record.pk)) if record.pk else None
    record.save()
    audit_record(actor=actor, action=f"{action}.{'update' if before else 'create'}", obj=record,
                 before=before, after=snapshot(record))
    return record


def _require_draft(version: CatalogVersion) -> None:
    if CatalogVersion.objects.filter(pk=version.pk, status=CatalogVersionStatus.PUBLISHED).exists():
        raise Conflict("已发布的目录版本不能修改，请基于它创建新版本", field="version")


def catalog_version_save(*, actor: Any, version: CatalogVersion) -> CatalogVersion:
    """Create or edit a draft catalog version (publishing is ``catalog_version_publish``)."""
    if not policies.can_edit_reference(actor):
        raise NotAllowed(PROVINCE_ONLY)
    with transaction.atomic():
        if version.pk:
            _require_draft(version)
        version.status, version.published_at = CatalogVersionStatus.DRAFT, None
        return _audited_save(actor=actor, record=version, action="catalog.catalog_version")


def catalog_version_publish(*, actor: Any, version: CatalogVersion) -> CatalogVersion:
    """Publish a draft; it governs from its effective date, which may not lie in the past."""
    if not policies.can_edit_reference(actor):
        raise NotAllowed(PROVINCE_ONLY)
    with transaction.atomic():
        version = CatalogVersion.objects.select_for_update().get(pk=version.pk)
        _require_draft(version)
        if not version.items.exists():
            raise DomainError("目录版本没有任何事项，不能发布", field="items")
        if version.effective_from < clock.today():
            raise DomainError("施行日期不能早于今天", field="effective_from")
        version.status, version.published_at = CatalogVersionStatus.PUBLISHED, clock.now()
        version.save(update_fields=["status", "published_at"])
        audit_record(actor=actor, action="catalog.catalog_version.publish", obj=version,
                     after={"status": version.status, "published_at": version.published_at})
    return version


def catalog_version_draft_from(*, actor: Any, base: CatalogVersion, number: str, title: str,
                               effective_from: dt.date) -> CatalogVersion:
    """A new draft version holding a copy of ``base``'s items, to be edited and published."""
    if not policies.can_edit_reference(actor):
        raise NotAllowed(PROVINCE_ONLY)
    with transaction.atomic():
        draft = _audited_save(actor=actor, record=CatalogVersion(
            number=number, title=title, effective_from=effective_from), action="catalog.catalog_version")
        copies: dict[int, CatalogItem] = {}
        pending = list(base.items.order_by("order", "code"))
        while pending:  # parents before their children, however deep
            ready = [i for i in pending if i.parent_id is None or i.parent_id in copies]
            if not ready:
                raise DomainError("目录事项的上级事项不在同一版本中，无法复制", field="base")
            for item in ready:
                parent = None if item.parent_id is None else copies[item.parent_id]
                copies[item.pk] = CatalogItem.objects.create(
                    version=draft, code=item.code, name=item.name, parent=parent,
                    must_trade=item.must_trade, legal_basis=item.legal_basis, order=item.order)
            pending = [i for i in pending if i.pk not in copies]
    return draft


def catalog_item_save(*, actor: Any, item: CatalogItem) -> CatalogItem:
    """Add or edit an item of a draft version."""
    if not policies.can_edit_reference(actor):
        raise NotAllowed(PROVINCE_ONLY)
    if not item.version_id:
        raise DomainError("请选择目录版本", field="version")
    with transaction.atomic():
        _require_draft(item.version)
        parent = item.parent if item.parent_id else None
        if parent is not None and parent.version_id != item.version_id:
            raise DomainError("上级事项必须属于同一目录版本", field="parent")
        return _audited_save(actor=actor, record=item, action="catalog.catalog_item")


def catalog_item_delete(*, actor: Any, item: CatalogItem) -> None:
    if not policies.can_edit_reference(actor):
        raise NotAllowed(PROVINCE_ONLY)
    with transaction.atomic():
        _require_draft(item.version)
        audit_record(actor=actor, action="catalog.catalog_item.delete", obj=item, before=snapshot(item))
        item.delete()


def city_catalog_extension_save(*, actor: Any, extension: CityCatalogExtension) -> CityCatalogExtension:
    """A city center adds (or edits) an item of its own catalog, derived from the provincial one.

    Its code may not be a provincial code, and means the same thing in every city that uses it, so that the
    category part of a 统一交易标识码 is unambiguous across the province.
    """
    if not policies.can_change_extension_of(actor, extension.center_id):
        raise NotAllowed("只能维护本中心的目录扩展事项")
    if extension.center_id and extension.center.is_provincial:
        raise DomainError("省级中心的事项请在省级目录版本中维护", field="center")
    with transaction.atomic():
        if extension.pk:
            stored = CityCatalogExtension.objects.select_for_update().get(pk=extension.pk)
            if not policies.can_change_extension_of(actor, stored.center_id):
                raise NotAllowed("只能维护本中心的目录扩展事项")
        on = extension.effective_from if isinstance(extension.effective_from, dt.date) else None
        provincial = {e.code: e for e in catalog_in_force(on)} if on else {}
        errors: dict[str, str] = {}
        if extension.code in provincial:
            errors["code"] = f"代码 {extension.code} 已是省级目录事项「{provincial[extension.code].name}」"
        other = (CityCatalogExtension.objects.filter(code=extension.code).exclude(center_id=extension.center_id)
                 .exclude(name=extension.name).first())
        if other is not None:
            errors["code"] = f"代码 {extension.code} 已被{other.center}用于「{other.name}」，同一代码须含义一致"
        if extension.parent_code and extension.parent_code not in provincial:
            errors["parent_code"] = "上级事项必须是施行中的省级目录事项"
        if errors:
            raise DomainError(errors=errors)
        return _audited_save(actor=actor, record=extension, action="catalog.city_extension")


def consultation_save(*, actor: Any, consultation: Consultation) -> Consultation:
    """Record (or publish, by setting published_at) the public consultation that added an item."""
    if not policies.can_change_consultation(actor, consultation):
        raise NotAllowed("无权维护该征求意见记录")
    with transaction.atomic():
        if consultation.pk:
            stored = Consultation.objects.select_related("extension").get(pk=consultation.pk)
            if not policies.can_change_consultation(actor, stored):
                raise NotAllowed("无权维护该征求意见记录")
        return _audited_save(actor=actor, record=consultation, action="catalog.consultation")


def rule_save(*, actor: Any, rule: Rule) -> Rule:
    """Add or edit an entry of the rules list."""
    if not policies.can_edit_reference(actor):
        raise NotAllowed(PROVINCE_ONLY)
    if rule.pk and rule.amended_by_id == rule.pk:
        raise DomainError("修订/替代文件不能是其本身", field="amended_by")
    if rule.status == "in_force" and rule.repealed_on:
        raise DomainError("现行有效的文件不能有废止日期", field="repealed_on")
    with transaction.atomic():
        return _audited_save(actor=actor, record=rule, action="catalog.rule")
