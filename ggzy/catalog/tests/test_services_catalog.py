"""The catalog in force, city extensions, consultations, catalog versions and the rules list."""

import datetime as dt

import pytest

from ggzy.catalog.models import CatalogItem, CatalogVersion, CityCatalogExtension, Consultation, Rule
from ggzy.catalog.selectors import catalog_in_force, catalog_item_get, rule_list_public
from ggzy.catalog.services import (
    catalog_item_save,
    catalog_version_draft_from,
    catalog_version_publish,
    city_catalog_extension_save,
    consultation_save,
    rule_save,
)
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound
from ggzy.core.models import AuditEntry

from .factories import CityCatalogExtensionFactory, ConsultationFactory

pytestmark = pytest.mark.django_db
D = dt.date


def _extension(center, **kwargs):
    defaults = {"code": "61", "name": "排污权", "parent_code": "06", "effective_from": D(2026, 3, 2)}
    return CityCatalogExtension(center=center, **{**defaults, **kwargs})


def test_city_staff_add_an_item_to_their_own_catalog(frozen_clock, centers, make_user):
    # given a Jinan staff member
    staff = make_user("center_staff", center=centers["jinan"])
    # when they add 排污权 to Jinan's catalog
    extension = city_catalog_extension_save(actor=staff, extension=_extension(centers["jinan"]))
    # then Jinan's catalog in force lists it after its provincial parent, Qingdao's does not
    jinan = [e.code for e in catalog_in_force(D(2026, 3, 2), centers["jinan"])]
    assert jinan.index("61") == jinan.index("06") + 1
    assert "61" not in [e.code for e in catalog_in_force(D(2026, 3, 2), centers["qingdao"])]
    assert "61" not in [e.code for e in catalog_in_force(D(2026, 3, 1), "370100")]
    entry = AuditEntry.objects.get(action="catalog.city_extension.create")
    assert entry.actor == staff and entry.object_id == str(extension.pk)


def test_city_staff_cannot_change_another_citys_catalog(frozen_clock, centers, make_user):
    # given Jinan's extension and a Qingdao staff member
    extension = CityCatalogExtensionFactory(center=centers["jinan"])
    qingdao = make_user("center_staff", center=centers["qingdao"])
    audits = AuditEntry.objects.count()
    # when Qingdao tries to rename it, or to add one for Jinan
    extension.name = "改名"
    with pytest.raises(NotAllowed):
        city_catalog_extension_save(actor=qingdao, extension=extension)
    with pytest.raises(NotAllowed):
        city_catalog_extension_save(actor=qingdao, extension=_extension(centers["jinan"], code="65", name="x"))
    # then nothing changed
    assert CityCatalogExtension.objects.get(pk=extension.pk).name == "排污权"
    assert CityCatalogExtension.objects.count() == 1
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize(("kwargs", "field"), [
    pytest.param({"code": "01", "name": "工程"}, "code", id="provincial-code"),
    pytest.param({"code": "6a"}, "code", id="lowercase-code"),
    pytest.param({"parent_code": "99"}, "parent_code", id="unknown-parent"),
])
def test_extension_codes_must_be_unambiguous(frozen_clock, centers, kwargs, field):
    with pytest.raises(DomainError) as err:
        city_catalog_extension_save(actor=None, extension=_extension(centers["jinan"], **kwargs))
    assert field in err.value.errors
    assert not CityCatalogExtension.objects.exists()


def test_a_code_means_the_same_in_every_city(frozen_clock, centers):
    # given Jinan uses 61 for 排污权
    city_catalog_extension_save(actor=None, extension=_extension(centers["jinan"]))
    # when Qingdao uses 61 for something else it is refused; for the same thing it is accepted
    with pytest.raises(DomainError) as err:
        city_catalog_extension_save(actor=None, extension=_extension(centers["qingdao"], name="碳排放权"))
    assert "code" in err.value.errors
    city_catalog_extension_save(actor=None, extension=_extension(centers["qingdao"]))
    assert CityCatalogExtension.objects.filter(code="61").count() == 2


def test_the_province_has_no_extensions(frozen_clock, centers):
    with pytest.raises(DomainError) as err:
        city_catalog_extension_save(actor=None, extension=_extension(centers["province"]))
    assert "center" in err.value.errors


def test_withdrawn_extensions_leave_the_catalog(frozen_clock, centers):
    CityCatalogExtensionFactory(center=centers["jinan"], withdrawn_on=D(2026, 1, 1))
    assert "61" in [e.code for e in catalog_in_force(D(2025, 12, 31), centers["jinan"])]
    assert "61" not in [e.code for e in catalog_in_force(D(2026, 1, 1), centers["jinan"])]


def test_only_published_consultations_are_public(frozen_clock, centers):
    extension = CityCatalogExtensionFactory(center=centers["jinan"])
    shown = ConsultationFactory(extension=extension)
    ConsultationFactory(extension=extension, published_at=None)
    ConsultationFactory(extension=extension, published_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    entry = catalog_item_get("61", center=centers["jinan"])
    assert entry.consultations == (shown,) and entry.is_city_extension


def test_catalog_item_get_refuses_unknown_codes(frozen_clock):
    assert catalog_item_get("01").must_trade
    with pytest.raises(NotFound) as err:
        catalog_item_get("61")
    assert "category_code" in err.value.errors
    with pytest.raises(NotFound):
        catalog_in_force(D(2026, 3, 2), "999999")
    assert catalog_in_force(D(2019, 12, 31)) == []


def test_city_staff_may_record_their_consultation_but_not_the_provinces(frozen_clock, centers, make_user):
    staff = make_user("center_staff", center=centers["jinan"])
    extension = CityCatalogExtensionFactory(center=centers["jinan"])
    saved = consultation_save(actor=staff, consultation=Consultation(
        extension=extension, title="征求意见", period_from=D(2026, 1, 1), period_to=D(2026, 1, 31)))
    assert saved.pk
    item = CatalogItem.objects.get(code="07")
    with pytest.raises(NotAllowed):
        consultation_save(actor=staff, consultation=Consultation(
            item=item, title="省级", period_from=D(2026, 1, 1), period_to=D(2026, 1, 31)))
    with pytest.raises(DomainError):
        consultation_save(actor=None, consultation=Consultation(
            item=item, title="倒置", period_from=D(2026, 2, 1), period_to=D(2026, 1, 31)))
    assert Consultation.objects.count() == 1


def test_a_new_catalog_version_is_drafted_edited_and_published(frozen_clock, centers, make_user):
    # given the province drafts the 2026 catalog from the 2020 one
    staff = make_user("center_staff", center=centers["province"])
    base = CatalogVersion.objects.get(number="2020")
    draft = catalog_version_draft_from(actor=staff, base=base, number="2026", title="2026年版",
                                       effective_from=D(2026, 4, 1))
    assert draft.items.count() == base.items.count()
    assert draft.items.get(code="63").parent.version_id == draft.pk
    # when it adds 排污权 and publishes
    catalog_item_save(actor=staff, item=CatalogItem(version=draft, code="61", name="排污权",
                                                    parent=draft.items.get(code="06")))
    catalog_version_publish(actor=staff, version=draft)
    # then the new item governs from the effective date only, and the published version is frozen
    assert "61" not in [e.code for e in catalog_in_force(D(2026, 3, 31))]
    assert "61" in [e.code for e in catalog_in_force(D(2026, 4, 1))]
    with pytest.raises(Conflict):
        catalog_item_save(actor=staff, item=CatalogItem(version=draft, code="65", name="x"))
    with pytest.raises(Conflict):
        catalog_version_publish(actor=staff, version=draft)


def test_city_staff_cannot_touch_the_provincial_catalog(frozen_clock, centers, make_user):
    staff = make_user("center_staff", center=centers["jinan"])
    base = CatalogVersion.objects.get(number="2020")
    with pytest.raises(NotAllowed):
        catalog_version_draft_from(actor=staff, base=base, number="x", title="x", effective_from=D(2026, 4, 1))
    assert CatalogVersion.objects.count() == 1


def test_rules_are_kept_by_the_province(frozen_clock, centers, make_user):
    province = make_user("center_staff", center=centers["province"])
    city = make_user("center_staff", center=centers["jinan"])
    rule = Rule(title="济南市公共资源交易管理办法", level="city", category="platform")
    with pytest.raises(NotAllowed):
        rule_save(actor=city, rule=rule)
    rule_save(actor=province, rule=rule)
    rule.status, rule.repealed_on = "in_force", D(2026, 1, 1)
    with pytest.raises(DomainError) as err:
        rule_save(actor=province, rule=rule)
    assert "repealed_on" in err.value.errors
    assert Rule.objects.get(pk=rule.pk).repealed_on is None
    assert [r.pk for r in rule_list_public(level="city")] == [rule.pk]
    assert all(r.status == "repealed" for r in rule_list_public(status="repealed"))
