"""Add what every GP method shares (SME price deduction, procurement intention lead time, result and contract
announcement windows — all 待核实) to government-procurement templates seeded before they existed.

Only a row that is missing is added; existing rows are never changed (a version in force is history)."""

from django.db import migrations

KEYS = {"sme_price_deduction_percent", "procurement_intention_before_min", "result_notice_within",
        "contract_notice_within", "final_quotation_time_min"}


def add_missing_periods(apps, schema_editor):
    from ggzy.catalog.seed.period_data import PERIODS

    ProcessTemplate = apps.get_model("catalog", "ProcessTemplate")
    TemplatePeriod = apps.get_model("catalog", "TemplatePeriod")
    for template in ProcessTemplate.objects.all():
        rows = [row for row in PERIODS.get((template.category_code, template.method), []) if row[0] in KEYS]
        for version in template.versions.all():
            for key, label, value, unit, basis, verified in rows:
                if not TemplatePeriod.objects.filter(version=version, key=key).exists():
                    TemplatePeriod.objects.create(version=version, key=key, label=label, value=value, unit=unit,
                                                  legal_basis=basis, is_verified=verified)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_credit2_bond_credit_reduction")]
    operations = [migrations.RunPython(add_missing_periods, migrations.RunPython.noop)]
