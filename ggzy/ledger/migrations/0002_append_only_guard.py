"""Database-level guard: ledger rows are append-only.

PostgreSQL: a row trigger refuses every UPDATE and DELETE on entries, tree nodes, checkpoints and
cosignatures. (TRUNCATE is left to the table owner, which the application role must not be in
production; test runs flush tables with it.)

SQLite (embedded mode): UPDATE is refused; DELETE is refused except for the oldest remaining row, which
is what deleting a whole table (Django's test flush) does one row at a time. Deleting from the front is
still caught by ``ggzy ledger verify`` (the log must start at index 0 and match signed checkpoints).
"""

from django.db import migrations

TABLES = ["ledger_logentry", "ledger_treenode", "ledger_checkpoint", "ledger_cosignature"]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


def _forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();")
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: UPDATE on {table} refused'); END;")
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"WHEN OLD.rowid > (SELECT MIN(rowid) FROM {table}) "
                f"BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: DELETE on {table} refused'); END;")


def _backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(_forward, _backward, elidable=False)]
