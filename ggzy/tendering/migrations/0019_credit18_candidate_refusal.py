from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tendering", "0018_gpshared_intention")]

    operations = [
        migrations.AddField(
            model_name="candidate", name="refused_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="不予确定中标时间")),
        migrations.AddField(
            model_name="candidate", name="refused_reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="不予确定中标理由")),
    ]
