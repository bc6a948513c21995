"""Add "offer the next candidate when the first is refused at award" (1) and "expert ratings below this average
feed credit" (2), both unverified, to templates seeded before they existed (tendering and government procurement).

Only a row that is missing is added; existing rows are never changed (a version in force is history)."""

from django.db import migrations

KEYS = ("award_next_candidate_on_refusal", "expert_rating_credit_below")


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
    dependencies = [("catalog", "0011_gpshared_gp_shared_periods")]
    operations = [migrations.RunPython(add_missing_periods, migrations.RunPython.noop)]
