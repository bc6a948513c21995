"""Entry format version 2: the salt behind ``actor.label_commitment`` (docs/ledger-format.md).

Nullable columns without a default: SQLite adds them with ALTER TABLE ADD COLUMN, so the append-only triggers of
0002 stay in place (no table rebuild).
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0005_sealed_entry'),
    ]

    operations = [
        migrations.AddField(
            model_name='logentry',
            name='actor_salt',
            field=models.BinaryField(blank=True, max_length=64, null=True, verbose_name='操作人承诺盐值'),
        ),
        migrations.AddField(
            model_name='sealedentry',
            name='actor_salt',
            field=models.BinaryField(blank=True, max_length=64, null=True, verbose_name='操作人承诺盐值'),
        ),
    ]
