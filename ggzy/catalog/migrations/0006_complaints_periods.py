"""Add the complaint periods (helper complaints: the documents-objection window, the complaint window, acceptance,
decision and the government-procurement suspension cap) to template versions seeded before they existed.

Only a row that is missing is added; existing rows are never changed (a version in force is history). Rows the
seed marks unconfirmed by a primary text keep ``is_verified`` False ("verify")."""

from django.db import migrations

KEYS = ("documents_objection_before_deadline", "complaint_within", "complaint_acceptance_within",
        "complaint_decision_within", "complaint_suspension_max")


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
    dependencies = [("catalog", "0005_draws13_rating_rules")]
    operations = [migrations.RunPython(add_missing_periods, migrations.RunPython.noop)]
