"""Seed the provincial catalog, the rules list, the process templates with every statutory number, and the
official holiday calendars known to ``chinese_calendar`` — so every installation starts with them."""

from django.db import migrations


def seed(apps, schema_editor):
    from ggzy.catalog.seed.calendar_data import calendar_seed
    from ggzy.catalog.seed.catalog_data import catalog_seed
    from ggzy.catalog.seed.process_data import processes_seed
    from ggzy.catalog.seed.rules_data import rules_seed
    from ggzy.core import clock

    at = clock.now()
    m = apps.get_model
    catalog_seed(m("catalog", "CatalogVersion"), m("catalog", "CatalogItem"), published_at=at)
    rules_seed(m("catalog", "Rule"))
    processes_seed(m("catalog", "ProcessTemplate"), m("catalog", "TemplateVersion"), m("catalog", "TemplateStep"),
                   m("catalog", "TemplatePeriod"), created_at=at)
    calendar_seed(m("catalog", "HolidayYear"), m("catalog", "CalendarDay"), entered_at=at)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
