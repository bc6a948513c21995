"""A draw request belongs to the requesting center (helper drawperf, issue 13)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("experts", "0005_drawperf_draw_rules"), ("registry", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="drawrequest",
            name="center",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.center",
                verbose_name="申请中心",
            ),
        ),
    ]
