"""The admin: the provincial center edits (through the services), city staff only read, anonymous is sent away."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from ggzy.catalog.models import (
    CalendarDay,
    CityCatalogExtension,
    HolidayYear,
    ProcessTemplate,
    TemplateVersion,
)
from ggzy.catalog.selectors import period_value, template_version_in_force
from ggzy.core.models import AuditEntry

from .factories import CityCatalogExtensionFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def tender_v1():
    return template_version_in_force(category_code="01", method="open_tender", on_date=D(2026, 3, 2))


def version_post_data(version, *, effective_from, note="省级修订", overrides=None):
    """The admin change form of ``version`` as a browser would post it, with some period values changed."""
    overrides = overrides or {}
    data = {"effective_from": effective_from.isoformat(), "note": note, "_save": "保存"}
    steps = list(version.steps.order_by("order"))
    periods = list(version.periods.order_by("key"))
    for prefix, rows in (("steps", steps), ("periods", periods)):
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows),
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    for i, s in enumerate(steps):
        data.update({f"steps-{i}-id": s.pk, f"steps-{i}-version": version.pk, f"steps-{i}-order": s.order,
                     f"steps-{i}-code": s.code, f"steps-{i}-name": s.name, f"steps-{i}-role": s.role,
                     f"steps-{i}-description": s.description})
    for i, p in enumerate(periods):
        data.update({f"periods-{i}-id": p.pk, f"periods-{i}-version": version.pk, f"periods-{i}-key": p.key,
                     f"periods-{i}-label": p.label, f"periods-{i}-value": overrides.get(p.key, p.value),
                     f"periods-{i}-unit": p.unit, f"periods-{i}-legal_basis": p.legal_basis})
        if p.is_verified:
            data[f"periods-{i}-is_verified"] = "on"
    return data


def _change_url(version):
    return reverse("admin:catalog_templateversion_change", args=[version.pk])


def test_the_change_form_has_the_inline_prefixes_the_tests_post(client, centers, make_user, tender_v1):
    client.force_login(make_user("center_staff", center=centers["province"]))
    html = client.get(_change_url(tender_v1)).content.decode()
    assert 'name="steps-TOTAL_FORMS"' in html and 'name="periods-TOTAL_FORMS"' in html
    assert "待核实" in html


@pytest.mark.parametrize(("who", "expected"), [
    pytest.param("anonymous", "login", id="anonymous"),
    pytest.param("bidder", "login", id="bidder-not-staff"),
    pytest.param("jinan_staff", 403, id="city-staff"),
    pytest.param("province_staff", "new-version", id="provincial-staff"),
    pytest.param("admin", "new-version", id="administrator"),
])
def test_permission_matrix_for_editing_a_template_version(client, frozen_clock, centers, make_user, tender_v1,
                                                         who, expected):
    # given a user of each kind
    users = {"bidder": ("bidder", None), "jinan_staff": ("center_staff", centers["jinan"]),
             "province_staff": ("center_staff", centers["province"]), "admin": ("admin", centers["province"])}
    if who in users:
        client.force_login(make_user(users[who][0], center=users[who][1]))
    audits = AuditEntry.objects.filter(action__startswith="catalog.").count()
    # when they post a change of the 20-day tender period to 25 days from 2026-04-01
    response = client.post(_change_url(tender_v1), version_post_data(
        tender_v1, effective_from=D(2026, 4, 1), overrides={"documents_to_deadline_min": "25"}))
    versions = TemplateVersion.objects.filter(template=tender_v1.template)
    # then only the provincial center gets a new version; version 1 never changes
    assert period_value(tender_v1, "documents_to_deadline_min") == 20
    if expected == "new-version":
        v2 = versions.get(number=2)
        assert response.status_code == 302 and response["Location"] == _change_url(v2)
        assert period_value(v2, "documents_to_deadline_min") == 25 and v2.effective_from == D(2026, 4, 1)
        assert AuditEntry.objects.filter(action="catalog.template_version.revise").count() == 1
        return
    if expected == "login":
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code == expected
    assert versions.count() == 1
    assert AuditEntry.objects.filter(action__startswith="catalog.").count() == audits


def test_city_staff_can_view_templates_but_not_save(client, centers, make_user, tender_v1):
    client.force_login(make_user("center_staff", center=centers["qingdao"]))
    listing = client.get(reverse("admin:catalog_templateversion_changelist"))
    page = client.get(_change_url(tender_v1))
    assert listing.status_code == 200 and page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_saving_without_a_new_effective_date_is_refused_in_the_form(client, frozen_clock, centers, make_user,
                                                                    tender_v1):
    client.force_login(make_user("center_staff", center=centers["province"]))
    response = client.post(_change_url(tender_v1), version_post_data(
        tender_v1, effective_from=D(2020, 1, 1), overrides={"documents_to_deadline_min": "25"}))
    assert response.status_code == 200
    assert "请填写新版本的施行日期" in response.content.decode()
    assert TemplateVersion.objects.filter(template=tender_v1.template).count() == 1


def test_a_service_refusal_comes_back_as_a_message(client, frozen_clock, centers, make_user, tender_v1):
    # given a post that changes nothing but the date
    client.force_login(make_user("center_staff", center=centers["province"]))
    response = client.post(_change_url(tender_v1), version_post_data(tender_v1, effective_from=D(2026, 4, 1)),
                           follow=True)
    # then the service's message is shown and nothing (not even an admin log entry) is written
    assert "未作任何修改" in response.content.decode()
    assert TemplateVersion.objects.filter(template=tender_v1.template).count() == 1
    from django.contrib.admin.models import LogEntry

    assert not LogEntry.objects.exists()


def test_provincial_staff_add_a_template_through_the_admin(client, frozen_clock, centers, make_user):
    client.force_login(make_user("center_staff", center=centers["province"]))
    response = client.post(reverse("admin:catalog_processtemplate_add"), {
        "category_code": "07", "method": "inquiry", "name": "药品询价采购", "effective_from": "2026-03-10",
        "note": "", "_save": "保存"})
    assert response.status_code == 302
    template = ProcessTemplate.objects.get(category_code="07", method="inquiry")
    assert template.versions.get().effective_from == D(2026, 3, 10)
    assert AuditEntry.objects.filter(action="catalog.process_template.create").exists()


def _holiday_post(days, *, year="2027"):
    data = {"year": year, "source": "国务院办公厅通知", "_save": "保存", "days-TOTAL_FORMS": len(days),
            "days-INITIAL_FORMS": 0, "days-MIN_NUM_FORMS": 0, "days-MAX_NUM_FORMS": 1000}
    for i, (day, kind, name) in enumerate(days):
        data.update({f"days-{i}-date": day, f"days-{i}-kind": kind, f"days-{i}-name": name})
    return data


@pytest.mark.parametrize(("center", "allowed"), [
    pytest.param("province", True, id="provincial-staff"),
    pytest.param("jinan", False, id="city-staff"),
])
def test_entering_next_years_holidays_in_the_admin(client, frozen_clock, centers, make_user, center, allowed):
    client.force_login(make_user("center_staff", center=centers[center]))
    response = client.post(reverse("admin:catalog_holidayyear_add"), _holiday_post(
        [("2027-01-01", "holiday", "元旦"), ("2027-02-06", "makeup_workday", "春节")]))
    if allowed:
        assert response.status_code == 302
        year = HolidayYear.objects.get(year=2027)
        assert year.is_official and CalendarDay.objects.filter(holiday_year=year).count() == 2
        assert AuditEntry.objects.filter(action="catalog.holiday_year.enter").count() == 1
    else:
        assert response.status_code == 403
        assert not HolidayYear.objects.filter(year=2027).exists()
        assert not AuditEntry.objects.filter(action="catalog.holiday_year.enter").exists()


def test_a_weekend_holiday_entered_in_the_admin_is_refused(client, frozen_clock, centers, make_user):
    client.force_login(make_user("center_staff", center=centers["province"]))
    response = client.post(reverse("admin:catalog_holidayyear_add"),
                           _holiday_post([("2027-01-02", "holiday", "元旦")]), follow=True)
    assert "周末本就休息" in response.content.decode()
    assert not HolidayYear.objects.filter(year=2027).exists()


def _extension_post(extension, name):
    return {"center": extension.center_id, "code": extension.code, "name": name, "parent_code": "06",
            "legal_basis": "", "effective_from": "2021-07-01", "withdrawn_on": "", "_save": "保存",
            "consultations-TOTAL_FORMS": 0, "consultations-INITIAL_FORMS": 0, "consultations-MIN_NUM_FORMS": 0,
            "consultations-MAX_NUM_FORMS": 1000}


@pytest.mark.parametrize(("center", "status"), [
    pytest.param("jinan", 302, id="own-city"),
    pytest.param("qingdao", 403, id="another-city"),
    pytest.param("province", 302, id="province"),
])
def test_city_extensions_are_changed_by_their_city_or_the_province(client, frozen_clock, centers, make_user,
                                                                    center, status):
    extension = CityCatalogExtensionFactory(center=centers["jinan"])
    client.force_login(make_user("center_staff", center=centers[center]))
    url = reverse("admin:catalog_citycatalogextension_change", args=[extension.pk])
    response = client.post(url, _extension_post(extension, "排污权（含二级市场）"))
    assert response.status_code == status
    renamed = CityCatalogExtension.objects.get(pk=extension.pk).name == "排污权（含二级市场）"
    assert renamed is (status == 302)
    assert AuditEntry.objects.filter(action="catalog.city_extension.update").exists() is (status == 302)


def test_admin_index_lists_catalog_models_for_city_staff(client, centers, make_user):
    client.force_login(make_user("center_staff", center=centers["jinan"]))
    html = client.get(reverse("admin:index")).content.decode()
    assert re.search(r"流程模板版本", html) and "年度节假日安排" in html
