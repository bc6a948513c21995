"""Full-text search over notices (ADR 0016): a bigram ``tsvector`` column with a GIN index on PostgreSQL, an FTS5
table on SQLite. Neither is a Django field; the disclosure services keep them in step (``disclosure.search``)."""

from django.db import migrations

PG_FORWARD = [
    "ALTER TABLE disclosure_notice ADD COLUMN search_doc tsvector",
    "CREATE INDEX disclosure_notice_search_gin ON disclosure_notice USING gin (search_doc)",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS disclosure_notice_search_gin",
               "ALTER TABLE disclosure_notice DROP COLUMN IF EXISTS search_doc"]
SQLITE_FORWARD = ["CREATE VIRTUAL TABLE disclosure_notice_fts USING fts5(bi, uni, tokenize='unicode61')"]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS disclosure_notice_fts"]


def forward(apps, schema_editor):
    from ggzy.disclosure import search

    vendor = schema_editor.connection.vendor
    for sql in PG_FORWARD if vendor == "postgresql" else SQLITE_FORWARD:
        schema_editor.execute(sql)
    Notice = apps.get_model("disclosure", "Notice")
    for notice in Notice.objects.filter(status="published").select_related("center", "region").iterator():
        search.index_notice(notice)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in PG_BACKWARD if vendor == "postgresql" else SQLITE_BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("disclosure", "0003_gpshared_intention"),
    ]

    operations = [migrations.RunPython(forward, backward)]
