from django.db import migrations


def load(apps, schema_editor):
    from ggzy.registry.regions_data import regions_load

    regions_load(apps.get_model("registry", "Region"), apps.get_model("registry", "Center"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
