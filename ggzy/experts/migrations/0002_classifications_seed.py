"""Load the classification standard (data/classifications.csv) and add the entry-check key
``expert_senior_title_required`` to general templates seeded before it existed (missing rows only)."""

from django.db import migrations


def seed(apps, schema_editor):
    from ggzy.catalog.seed.period_data import PERIODS
    from ggzy.experts.services.classifications import DEFAULT_FILE, _rows

    Classification = apps.get_model("experts", "Classification")
    rows = _rows(DEFAULT_FILE.read_text(encoding="utf-8"))
    levels: dict[str, int] = {}
    for _, code, name, parent in rows:  # parents come first in the file
        levels[code] = 1 if not parent else levels[parent] + 1
        Classification.objects.update_or_create(code=code, defaults={"name": name, "parent_id": parent or None,
                                                                     "level": levels[code]})
    ProcessTemplate = apps.get_model("catalog", "ProcessTemplate")
    TemplatePeriod = apps.get_model("catalog", "TemplatePeriod")
    wanted = [r for r in PERIODS[("00", "general")] if r[0] == "expert_senior_title_required"]
    for template in ProcessTemplate.objects.filter(category_code="00", method="general"):
        for version in template.versions.all():
            for key, label, value, unit, basis, verified in wanted:
                if not TemplatePeriod.objects.filter(version=version, key=key).exists():
                    TemplatePeriod.objects.create(version=version, key=key, label=label, value=value, unit=unit,
                                                  legal_basis=basis, is_verified=verified)


class Migration(migrations.Migration):
    dependencies = [("experts", "0001_initial"), ("catalog", "0003_challenge_period")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
