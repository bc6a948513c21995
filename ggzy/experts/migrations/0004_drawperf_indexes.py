"""The draw's candidate fetch reads (classification, expert) from one index (helper drawperf, issue 13)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("experts", "0003_draw")]

    operations = [
        migrations.AddIndex(
            model_name="expertclassification",
            index=models.Index(fields=["classification", "expert"], name="experts_class_expert"),
        ),
    ]
