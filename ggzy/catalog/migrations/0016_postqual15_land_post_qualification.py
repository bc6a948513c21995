"""Add whether a land listing's announcement may state qualification after winning (资格后审, issue 15 item 2) to the
land listing and land auction templates seeded before it existed (unverified: a local online-trading rule, 待核实).

Only a row that is missing is added; existing rows are never changed (a version in force is history)."""

from django.db import migrations

KEYS = ("qualification_after_winning_allowed",)


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
    dependencies = [("catalog", "0015_kinds15_rights_templates")]
    operations = [migrations.RunPython(add_missing_periods, migrations.RunPython.noop)]
