"""Process templates: a version in force is history; edits create the next version, audited."""

import datetime as dt
from decimal import Decimal

import pytest

from ggzy.catalog.models import ProcessTemplate, TemplatePeriod, TemplateVersion
from ggzy.catalog.selectors import PeriodMissing, period_value, template_version_in_force
from ggzy.catalog.services import process_template_create, process_template_rename, template_version_revise
from ggzy.core.errors import DomainError, NotAllowed, NotFound
from ggzy.core.models import AuditEntry

from .factories import TemplatePeriodFactory, TemplateVersionFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def provincial(centers, make_user):
    return make_user("center_staff", center=centers["province"])


@pytest.fixture
def tender_v1():
    return template_version_in_force(category_code="01", method="open_tender", on_date=D(2026, 3, 2))


def _periods(version):
    return sorted(version.periods.values_list("key", "value", "unit"))


def test_revising_a_version_in_force_creates_the_next_version(frozen_clock, provincial, tender_v1):
    # given version 1 of the open-tender template, in force since 2020
    before = _periods(tender_v1)
    audits = AuditEntry.objects.count()
    # when the province raises the tender period to 25 days from 2026-04-01
    v2 = template_version_revise(actor=provincial, version=tender_v1, effective_from=D(2026, 4, 1),
                                 changes={"note": "省级规定延长", "periods": {"documents_to_deadline_min": {"value": 25}}})
    # then version 2 holds the new number and version 1 is unchanged
    assert (v2.number, v2.effective_from, v2.based_on_id, v2.created_by) == (2, D(2026, 4, 1), tender_v1.pk, provincial)
    assert period_value(v2, "documents_to_deadline_min") == Decimal("25")
    assert _periods(tender_v1) == before
    assert v2.steps.count() == tender_v1.steps.count() and v2.periods.count() == tender_v1.periods.count()
    # and the change is audited with before and after
    entry = AuditEntry.objects.get(action="catalog.template_version.revise")
    assert AuditEntry.objects.count() == audits + 1
    assert entry.actor == provincial and entry.after["number"] == 2


def test_a_project_is_judged_by_the_version_in_force_on_its_creation_day(frozen_clock, provincial, tender_v1):
    # given version 2 in force from 2026-04-01
    template_version_revise(actor=provincial, version=tender_v1, effective_from=D(2026, 4, 1),
                            changes={"note": "调整", "periods": {"documents_to_deadline_min": {"value": 25}}})
    # when projects created before and after that day look up their version
    earlier = template_version_in_force(category_code="01", method="open_tender", on_date=D(2026, 3, 31))
    later = template_version_in_force(category_code="01", method="open_tender", on_date=D(2026, 4, 1))
    # then each gets the rules of its own day
    assert period_value(earlier, "documents_to_deadline_min") == 20
    assert period_value(later, "documents_to_deadline_min") == 25


def test_city_staff_cannot_revise_and_nothing_changes(frozen_clock, centers, make_user, tender_v1):
    # given a Jinan staff member
    city = make_user("center_staff", center=centers["jinan"])
    audits = AuditEntry.objects.count()
    # when they try to revise
    with pytest.raises(NotAllowed):
        template_version_revise(actor=city, version=tender_v1, effective_from=D(2026, 4, 1),
                                changes={"note": "x", "periods": {"documents_to_deadline_min": {"value": 1}}})
    # then no version and no audit entry was written
    assert TemplateVersion.objects.filter(template=tender_v1.template).count() == 1
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize(("effective_from", "changes", "field"), [
    pytest.param(D(2026, 3, 1), {"note": "x", "periods": {"documents_to_deadline_min": {"value": 25}}},
                 "effective_from", id="retroactive"),
    pytest.param(D(2026, 4, 1), {"note": "x"}, "changes", id="nothing-changed"),
    pytest.param(D(2026, 4, 1), {"periods": {"documents_to_deadline_min": {"value": 25}}}, "note", id="no-note"),
    pytest.param(D(2026, 4, 1), {"note": "x", "periods": {"documents_to_deadline_min": {"value": -1}}},
                 "periods", id="negative-value"),
    pytest.param(D(2026, 4, 1), {"note": "x", "periods": {"new_key": {"label": "新", "value": 1, "unit": "weeks"}}},
                 "periods", id="bad-unit"),
    pytest.param(D(2026, 4, 1), {"note": "x", "steps": [{"order": 1, "code": "a", "name": "", "role": "x"}]},
                 "steps", id="bad-step"),
    pytest.param(D(2026, 4, 1), {"note": "x", "owner": 1}, "changes", id="unknown-change"),
])
def test_bad_revisions_are_refused_and_change_nothing(frozen_clock, provincial, tender_v1, effective_from,
                                                      changes, field):
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as err:
        template_version_revise(actor=provincial, version=tender_v1, changes=changes, effective_from=effective_from)
    assert field in err.value.errors
    assert TemplateVersion.objects.filter(template=tender_v1.template).count() == 1
    assert AuditEntry.objects.count() == audits


def test_a_version_not_yet_in_force_is_edited_in_place(frozen_clock, provincial):
    # given a version that starts next month
    future = TemplateVersionFactory(effective_from=D(2026, 4, 1))
    TemplatePeriodFactory(version=future, key="documents_to_deadline_min", value=20)
    # when the province corrects it
    result = template_version_revise(actor=provincial, version=future, changes={
        "note": "更正", "periods": {"documents_to_deadline_min": {"value": 21}}, "steps": [
            {"order": 1, "code": "register", "name": "项目登记", "role": "tenderer"}]})
    # then no new version is made, the rows are replaced, and the edit is audited
    assert result.pk == future.pk and TemplateVersion.objects.filter(template=future.template).count() == 1
    assert period_value(result, "documents_to_deadline_min") == 21
    assert list(result.steps.values_list("code", flat=True)) == ["register"]
    assert AuditEntry.objects.filter(action="catalog.template_version.update", object_id=str(future.pk)).exists()


def test_full_period_list_replaces_and_removed_keys_disappear(frozen_clock, provincial, tender_v1):
    v2 = template_version_revise(actor=provincial, version=tender_v1, effective_from=D(2026, 5, 1),
                                 changes={"note": "删除归档期限", "periods_removed": ["archive_within"]})
    with pytest.raises(PeriodMissing) as err:
        period_value(v2, "archive_within")
    assert "archive_within" in err.value.errors and "archive_within" in err.value.message
    assert period_value(tender_v1, "archive_within") == 30


def test_period_value_uses_prefetched_rows(django_assert_num_queries, tender_v1):
    version = TemplateVersion.objects.prefetch_related("periods").select_related("template").get(pk=tender_v1.pk)
    with django_assert_num_queries(0):
        assert period_value(version, "bids_to_open_min") == 3


def test_no_template_for_the_method_is_a_clear_error():
    with pytest.raises(NotFound):
        template_version_in_force(category_code="07", method="auction", on_date=D(2026, 3, 2))
    with pytest.raises(NotFound):
        template_version_in_force(category_code="01", method="open_tender", on_date=D(2019, 12, 31))
    with pytest.raises(DomainError):
        template_version_in_force(category_code="01", method="bogus", on_date=D(2026, 3, 2))


def test_process_template_create_and_rename(frozen_clock, provincial):
    # when the province creates a drug-procurement template
    version = process_template_create(actor=provincial, category_code="07", method="inquiry", name="药品询价采购",
                                      effective_from=D(2026, 3, 3))
    # then it has an empty first version and both writes are audited
    assert version.number == 1 and version.template.name == "药品询价采购"
    process_template_rename(actor=provincial, template=version.template, name="药品和医用耗材询价采购")
    assert ProcessTemplate.objects.get(pk=version.template_id).name == "药品和医用耗材询价采购"
    assert AuditEntry.objects.filter(action__startswith="catalog.process_template.").count() == 2


@pytest.mark.parametrize(("kwargs", "field"), [
    pytest.param({"category_code": "ZZ", "method": "inquiry"}, "category_code", id="not-in-catalog"),
    pytest.param({"category_code": "07", "method": "barter"}, "method", id="bad-method"),
    pytest.param({"category_code": "01", "method": "open_tender"}, "method", id="duplicate"),
])
def test_process_template_create_refuses_bad_input(frozen_clock, provincial, kwargs, field):
    count = ProcessTemplate.objects.count()
    with pytest.raises(DomainError) as err:
        process_template_create(actor=provincial, name="x", effective_from=D(2026, 4, 1), **kwargs)
    assert field in err.value.errors
    assert ProcessTemplate.objects.count() == count


def test_seeded_rows_keep_their_values_after_a_revision(frozen_clock, provincial, tender_v1):
    template_version_revise(actor=provincial, version=tender_v1, effective_from=D(2026, 4, 1),
                            changes={"note": "x", "periods": {"bids_to_open_min": {"value": 4}}})
    assert TemplatePeriod.objects.get(version=tender_v1, key="bids_to_open_min").value == 3


def test_two_versions_cannot_start_on_the_same_day(frozen_clock, provincial, tender_v1):
    # given version 2 starts on 2026-04-01
    template_version_revise(actor=provincial, version=tender_v1, effective_from=D(2026, 4, 1),
                            changes={"note": "x", "periods": {"bids_to_open_min": {"value": 4}}})
    # when another revision asks for the same day
    with pytest.raises(DomainError) as err:
        template_version_revise(actor=provincial, version=tender_v1, effective_from=D(2026, 4, 1),
                                changes={"note": "y", "periods": {"bids_to_open_min": {"value": 5}}})
    # then it is refused: a project's day must name exactly one version
    assert "effective_from" in err.value.errors
    assert TemplateVersion.objects.filter(template=tender_v1.template).count() == 2


@pytest.mark.parametrize("value", ["1e20", "1e400", "NaN", "-1", "1.234", "100000000000000"])
def test_a_hostile_period_value_is_refused_and_nothing_changes(frozen_clock, provincial, tender_v1, value):
    # given version 1 in force
    before, versions, audits = _periods(tender_v1), TemplateVersion.objects.count(), AuditEntry.objects.count()
    # when a period is given a value in exponent form, NaN, negative, too precise or too large
    with pytest.raises(DomainError) as caught:
        template_version_revise(actor=provincial, version=tender_v1, effective_from=D(2026, 4, 1),
                                changes={"note": "试", "periods": {"documents_to_deadline_min": {"value": value}}})
    # then the period is named, and nothing is written
    assert "documents_to_deadline_min" in caught.value.message
    assert _periods(tender_v1) == before and TemplateVersion.objects.count() == versions
    assert AuditEntry.objects.count() == audits
