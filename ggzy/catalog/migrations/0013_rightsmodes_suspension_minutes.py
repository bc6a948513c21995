"""Add the rule that a rights listing cannot be suspended in its final minutes (issue 15 item 3, platform rule,
to verify) to the templates seeded before it existed.

Only a row that is missing is added; existing rows are never changed (a version in force is history). Most values
are platform rules, not a primary legal text: ``is_verified`` is False ("verify"), as the seed data says."""

from django.db import migrations

KEYS = ("suspension_blocked_final_minutes",)


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
    dependencies = [("catalog", "0012_credit18_award_next_candidate")]
    operations = [migrations.RunPython(add_missing_periods, migrations.RunPython.noop)]
