"""The rights procedures of issue 15 as template data: the mining-rights auction (矿业权网上拍卖出让) and the
environmental rights' online listings (排污权 61, 碳排放权 62, 用能权 63, 用水权 64) as new templates with every
number; and the capital increase's online-bidding numbers (企业增资 selecting investors by 竞价) added to the
template seeded before they existed.

Only what is missing is added; existing rows are never changed (a version in force is history). Most values are
platform rules, not a primary legal text: ``is_verified`` is False (待核实), as the seed data says."""

from django.db import migrations

KEYS = ("timed_round_bidders_min", "timed_round_minutes", "bid_increment_min", "deposit_refund_within",
        "suspension_blocked_final_minutes")


def add_templates_and_periods(apps, schema_editor):
    from ggzy.catalog.seed.period_data import PERIODS
    from ggzy.catalog.seed.process_data import processes_seed
    from ggzy.core import clock

    m = apps.get_model
    processes_seed(m("catalog", "ProcessTemplate"), m("catalog", "TemplateVersion"), m("catalog", "TemplateStep"),
                   m("catalog", "TemplatePeriod"), created_at=clock.now())
    TemplatePeriod = m("catalog", "TemplatePeriod")
    for template in m("catalog", "ProcessTemplate").objects.filter(category_code="05", method="capital_increase"):
        rows = [row for row in PERIODS[("05", "capital_increase")] if row[0] in KEYS]
        for version in template.versions.all():
            for key, label, value, unit, basis, verified in rows:
                if not TemplatePeriod.objects.filter(version=version, key=key).exists():
                    TemplatePeriod.objects.create(version=version, key=key, label=label, value=value, unit=unit,
                                                  legal_basis=basis, is_verified=verified)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0014_consult_consultation_periods")]
    operations = [migrations.RunPython(add_templates_and_periods, migrations.RunPython.noop)]
