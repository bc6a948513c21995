"""Ratings and penalties feed later draws (helper draws13, issue 13 item 6): the unit "points" (分) and four keys of
the general template — the average-rating threshold, the minimum number of ratings, the limit of penalties plus
unanswered invitations, and their window — added to the versions seeded before they existed.

Only a row that is missing is added; existing rows are never changed (a version in force is history). The values
are not confirmed by a primary text: ``is_verified`` is False ("verify"), as the seed data says."""

from django.db import migrations, models

KEYS = ("expert_draw_rating_min", "expert_draw_rating_count_min", "expert_draw_incidents_max",
        "expert_draw_record_window")


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
    dependencies = [("catalog", "0004_drawperf_expert_draw_rules")]
    operations = [
        migrations.AlterField(
            model_name="templateperiod",
            name="unit",
            field=models.CharField(
                choices=[("calendar_days", "日"), ("working_days", "个工作日"), ("hours", "小时"), ("minutes", "分钟"),
                         ("percent", "%"), ("count", "个/人"), ("yuan", "元"), ("years", "年"), ("points", "分")],
                max_length=16, verbose_name="单位"),
        ),
        migrations.RunPython(add_missing_periods, migrations.RunPython.noop),
    ]
