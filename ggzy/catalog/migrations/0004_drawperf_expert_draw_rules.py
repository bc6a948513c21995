"""Add the expert draw's avoidance numbers (per-employer cap, too often for the same tenderer: K times in D days)
to the general template's versions seeded before they existed (helper drawperf, issue 13).

Only a row that is missing is added; existing rows are never changed (a version in force is history). The values
are not confirmed by a primary text: ``is_verified`` is False ("verify"), as the seed data says."""

from django.db import migrations

KEYS = ("expert_draw_max_per_employer", "expert_draw_max_times_for_tenderer", "expert_draw_times_window")


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
    dependencies = [("catalog", "0003_challenge_period")]
    operations = [migrations.RunPython(add_missing_periods, migrations.RunPython.noop)]
