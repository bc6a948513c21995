"""Add the competitive consultation (竞争性磋商) template's numbers missing from templates seeded before them:
documents-to-deadline (10 days), clarification (5 days), supplier minimum and the result/challenge periods
(财库〔2014〕214号).

Only a row that is missing is added; existing rows are never changed (a version in force is history)."""

from django.db import migrations

TEMPLATE = ("02", "competitive_consultation")


def add_missing_periods(apps, schema_editor):
    from ggzy.catalog.seed.period_data import PERIODS

    ProcessTemplate = apps.get_model("catalog", "ProcessTemplate")
    TemplatePeriod = apps.get_model("catalog", "TemplatePeriod")
    for template in ProcessTemplate.objects.filter(category_code=TEMPLATE[0], method=TEMPLATE[1]):
        for version in template.versions.all():
            present = set(TemplatePeriod.objects.filter(version=version).values_list("key", flat=True))
            for key, label, value, unit, basis, verified in PERIODS.get(TEMPLATE, []):
                if key not in present:
                    TemplatePeriod.objects.create(version=version, key=key, label=label, value=value, unit=unit,
                                                  legal_basis=basis, is_verified=verified)
                    present.add(key)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_rightsmodes_suspension_minutes")]
    operations = [migrations.RunPython(add_missing_periods, migrations.RunPython.noop)]
