"""Finer statistics of the search column on PostgreSQL (ADR 0016, "At a million notices"): ANALYZE keeps the share of
up to 10,000 grams instead of 1,000, so that a search can ask the index for the rarest gram of each word."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE disclosure_notice ALTER COLUMN search_doc SET STATISTICS 1000")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE disclosure_notice ALTER COLUMN search_doc SET STATISTICS -1")


class Migration(migrations.Migration):

    dependencies = [
        ("disclosure", "0006_national17"),
    ]

    operations = [migrations.RunPython(forward, backward)]
