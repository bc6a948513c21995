"""The migration seeds every install: the catalog, the rules, every number of DOMAIN.md, the holiday calendar."""

import datetime as dt
from decimal import Decimal

import pytest

from ggzy.catalog.models import (
    CalendarDay,
    CatalogItem,
    HolidayYear,
    ProcessTemplate,
    Rule,
    TemplatePeriod,
    TemplateStep,
    TemplateVersion,
)
from ggzy.catalog.selectors import period_get, template_version_in_force

pytestmark = pytest.mark.django_db

T, GP, LAND, MINE, SOE, GEN = "01", "02", "03", "04", "05", "00"
ON = dt.date(2026, 3, 2)

# Every number of DOMAIN.md: (category, method, key, value, unit, verified)
DOMAIN_NUMBERS = [
    # Tendering
    (T, "open_tender", "documents_to_deadline_min", "20", "calendar_days", True),
    (T, "open_tender", "documents_sale_min", "5", "calendar_days", True),
    (T, "open_tender", "clarification_before_deadline_min", "15", "calendar_days", True),
    (T, "open_tender", "bid_bond_max_percent", "2", "percent", False),
    (T, "open_tender", "bid_bond_refund_after_contract_max", "5", "calendar_days", True),
    (T, "open_tender", "bid_bond_refund_after_withdrawal_max", "5", "calendar_days", True),
    (T, "open_tender", "bids_to_open_min", "3", "count", True),
    (T, "open_tender", "committee_members_min", "5", "count", True),
    (T, "open_tender", "committee_expert_share_numerator", "2", "count", True),
    (T, "open_tender", "committee_expert_share_denominator", "3", "count", True),
    (T, "open_tender", "candidates_publish_within", "3", "calendar_days", True),
    (T, "open_tender", "candidates_publicity_min", "3", "calendar_days", True),
    (T, "open_tender", "objection_answer_within", "3", "calendar_days", True),
    (T, "open_tender", "complaint_acceptance_within", "3", "working_days", True),
    (T, "open_tender", "contract_after_award_within", "30", "calendar_days", False),
    (T, "invitation", "documents_to_deadline_min", "20", "calendar_days", True),
    (T, "open_tender", "archive_within", "30", "calendar_days", True),
    # Government procurement
    (GP, "open_tender", "documents_to_deadline_min", "20", "calendar_days", True),
    (GP, "open_tender", "bid_bond_max_percent", "2", "percent", False),
    (GP, "open_tender", "committee_members_min", "5", "count", True),
    (GP, "open_tender", "committee_members_min_large", "7", "count", True),
    (GP, "open_tender", "committee_large_budget_threshold", "10000000", "yuan", True),
    (GP, "open_tender", "price_weight_goods_min", "30", "percent", True),
    (GP, "open_tender", "price_weight_goods_max", "60", "percent", True),
    (GP, "open_tender", "price_weight_services_min", "10", "percent", True),
    (GP, "open_tender", "price_weight_services_max", "30", "percent", True),
    (GP, "open_tender", "price_score_scale", "100", "count", True),
    (GP, "open_tender", "contract_after_award_within", "30", "calendar_days", False),
    (GP, "open_tender", "same_brand_as_one_supplier", "1", "count", False),
    (GP, "open_tender", "records_retention_min", "15", "years", True),
    (GP, "competitive_negotiation", "panel_members_min", "3", "count", True),
    (GP, "competitive_consultation", "panel_members_min", "3", "count", True),
    (GP, "inquiry", "panel_members_min", "3", "count", True),
    # Land and mining rights
    (LAND, "listing", "announcement_before_start_min", "20", "calendar_days", True),
    (LAND, "listing", "listing_period_min", "10", "working_days", False),
    (LAND, "listing", "timed_round_bidders_min", "2", "count", True),
    (LAND, "listing", "timed_round_minutes", "5", "minutes", True),
    (LAND, "listing", "result_publish_within", "10", "working_days", True),
    (LAND, "listing", "resumption_notice_min", "5", "calendar_days", True),
    (MINE, "listing", "listing_period_min", "10", "working_days", False),
    (LAND, "auction", "announcement_before_start_min", "20", "calendar_days", True),
    # issue 15: the mining auction (notice and bidders from the mining trading rules, to verify)
    (MINE, "auction", "announcement_before_start_min", "20", "calendar_days", False),
    (MINE, "auction", "timed_round_bidders_min", "3", "count", False),
    (MINE, "auction", "result_publish_within", "10", "working_days", False),
    # State-owned property rights
    (SOE, "property_listing", "disclosure_min", "20", "working_days", True),
    (SOE, "capital_increase", "disclosure_min", "40", "working_days", True),
    (SOE, "property_listing", "extension_min", "5", "working_days", True),
    (SOE, "property_listing", "listing_price_min_percent_of_appraisal", "100", "percent", True),
    (SOE, "property_listing", "below_appraisal_approval_percent", "90", "percent", True),
    (SOE, "property_listing", "instalment_down_payment_min", "30", "percent", True),
    (SOE, "property_listing", "instalment_term_max", "1", "years", True),
    (SOE, "property_listing", "result_publicity_min", "5", "working_days", True),
    (SOE, "capital_increase", "result_publicity_min", "5", "working_days", True),
    (SOE, "capital_increase", "instalment_down_payment_min", "30", "percent", True),
    (SOE, "capital_increase", "timed_round_minutes", "5", "minutes", False),
    # environmental rights (issue 15): platform rules in working days, every one to verify
    ("61", "listing", "announcement_before_start_min", "5", "working_days", False),
    ("62", "listing", "listing_period_min", "5", "working_days", False),
    ("63", "listing", "timed_round_minutes", "4", "minutes", False),
    ("64", "listing", "timed_round_bidders_min", "2", "count", False),
    # Experts, services, archives
    (GEN, "general", "expert_experience_min", "8", "years", True),
    (GEN, "general", "expert_age_max", "65", "years", True),
    (GEN, "general", "expert_pool_size_min", "500", "count", True),
    (GEN, "general", "service_items_count", "8", "count", True),
    (GEN, "general", "archive_within", "30", "calendar_days", True),
    (GEN, "general", "records_retention_min", "15", "years", True),
]


@pytest.mark.parametrize(("category", "method", "key", "value", "unit", "verified"), [
    pytest.param(*row, id=f"{row[0]}-{row[1]}-{row[2]}") for row in DOMAIN_NUMBERS])
def test_every_domain_number_is_a_period_row(category, method, key, value, unit, verified):
    # given the template version in force today
    version = template_version_in_force(category_code=category, method=method, on_date=ON)
    # when the period is read
    period = period_get(version, key)
    # then it carries DOMAIN.md's value, unit and verification state, effective 2020-01-01
    assert (period.value, period.unit, period.is_verified) == (Decimal(value), unit, verified)
    assert version.effective_from == dt.date(2020, 1, 1)
    assert period.legal_basis


def test_every_seeded_template_has_steps_and_periods():
    for template in ProcessTemplate.objects.all():
        version = template.versions.get(number=1)
        assert version.steps.count() >= 7, template.name
        assert version.periods.count() >= 4, template.name
    # + 政府采购单一来源 (issue 16); + 矿业权拍卖 and the four environmental rights' listings (issue 15)
    assert ProcessTemplate.objects.count() == 18
    assert TemplatePeriod.objects.filter(is_verified=False).exists()


def test_catalog_seed_holds_the_statutory_and_decided_categories():
    # given the seeded provincial catalog
    names = set(CatalogItem.objects.values_list("name", flat=True))
    # then the five statutory categories must trade, the others joined by decision
    statutory = {"工程建设项目招标投标", "政府采购", "土地使用权出让", "矿业权出让", "国有产权交易"}
    assert set(CatalogItem.objects.filter(must_trade=True).values_list("name", flat=True)) == statutory
    assert {"用能权", "用水权", "林权", "农村集体产权", "药品和医用耗材采购", "无形资产", "国有企业采购"} <= names


def test_rules_seed_links_replaced_documents():
    assert Rule.objects.count() >= 15
    old = Rule.objects.get(document_number="财政部令第18号")
    assert old.status == "repealed" and old.amended_by.document_number == "财政部令第87号"
    assert Rule.objects.get(document_number="鲁政办字〔2019〕209号").level == "provincial"
    assert Rule.objects.get(document_number="国务院令第613号").effective_from == dt.date(2012, 2, 1)


def test_calendar_seed_marks_known_years_official():
    assert set(HolidayYear.objects.filter(is_official=True).values_list("year", flat=True)) >= set(range(2004, 2027))
    assert not HolidayYear.objects.filter(year=2027).exists()
    spring = CalendarDay.objects.get(date=dt.date(2026, 2, 16))
    assert (spring.kind, spring.name) == ("holiday", "春节")
    # weekend days inside a holiday are not stored: a weekend is already a day off
    assert not CalendarDay.objects.filter(date=dt.date(2026, 2, 15)).exists()


def test_unverified_rights_numbers_say_so_in_their_basis():
    """The numbers of issue 15's new templates that no primary text confirmed carry 待核实 in their basis."""
    rows = TemplatePeriod.objects.filter(version__template__category_code__in=["61", "62", "63", "64"],
                                         is_verified=False).exclude(key__in=["archive_within"])
    assert rows.count() >= 4 * 8
    assert all("待核实" in row.legal_basis or "平台可配置" in row.legal_basis for row in rows)
    mining = TemplatePeriod.objects.get(version__template__category_code="04", version__template__method="auction",
                                        key="timed_round_bidders_min")
    assert "待核实" in mining.legal_basis and not mining.is_verified


def test_kinds15_migration_adds_only_what_is_missing():
    """Migration 0015 on an install seeded before it: the capital increase's bidding rows are added to the version in
    force, an existing row is left as it is, and running it again changes nothing."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("ggzy.catalog.migrations.0015_kinds15_rights_templates")
    capital = {"version__template__category_code": "05", "version__template__method": "capital_increase"}
    TemplatePeriod.objects.filter(**capital, key__in=["timed_round_minutes", "bid_increment_min"]).delete()
    TemplatePeriod.objects.filter(**capital, key="timed_round_bidders_min").update(value=Decimal("7"))
    water_rows = {"version__template__category_code": "64"}  # an install without the 用水权 template
    TemplatePeriod.objects.filter(**water_rows).delete()
    TemplateStep.objects.filter(**water_rows).delete()
    TemplateVersion.objects.filter(template__category_code="64").delete()
    ProcessTemplate.objects.filter(category_code="64").delete()
    migration.add_templates_and_periods(apps, None)
    migration.add_templates_and_periods(apps, None)
    rows = {p.key: p.value for p in TemplatePeriod.objects.filter(**capital)}
    assert rows["timed_round_minutes"] == 5 and rows["bid_increment_min"] == 1000
    assert rows["timed_round_bidders_min"] == 7  # a row in force is history: never rewritten
    assert TemplatePeriod.objects.filter(**capital, key="timed_round_minutes").count() == 1
    water = ProcessTemplate.objects.get(category_code="64", method="listing")
    assert water.versions.get().periods.get(key="timed_round_minutes").value == 4
    assert ProcessTemplate.objects.count() == 18
