"""The draw's avoidance numbers come from the catalog's template data; the request keeps the window in days and
the values used with their basis (helper drawperf, issue 13)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("experts", "0004_drawperf_indexes")]

    operations = [
        migrations.AddField(
            model_name="drawrequest",
            name="window_days",
            field=models.PositiveSmallIntegerField(default=360, verbose_name="统计天数"),
        ),
        migrations.AddField(
            model_name="drawrequest",
            name="rules_basis",
            field=models.JSONField(blank=True, default=list, verbose_name="抽取规则数值及依据"),
        ),
    ]
