"""TOTP seeds encrypted at rest (ggzy.core.secrets): the column grows to hold the sealed form, and the seeds
already stored are encrypted with the platform's key (kept outside the database)."""

from django.db import migrations

import ggzy.core.secrets


def encrypt_existing(apps, schema_editor):
    # The field reads a plaintext seed unchanged and encrypts whatever it writes.
    User = apps.get_model("accounts", "User")
    for user in User.objects.using(schema_editor.connection.alias).exclude(totp_secret="").only("pk", "totp_secret"):
        if user.totp_secret:
            user.save(update_fields=["totp_secret"])


def decrypt_existing(apps, schema_editor):
    # Back to plaintext before the column shrinks: written with SQL, since the field would encrypt again.
    User = apps.get_model("accounts", "User")
    table = schema_editor.quote_name(User._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        for user in User.objects.using(schema_editor.connection.alias).exclude(totp_secret="").only("pk", "totp_secret"):
            cursor.execute(f"UPDATE {table} SET totp_secret = %s WHERE id = %s",  # noqa: S608 — the model's own table
                           [user.totp_secret, user.pk])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_notification"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="totp_secret",
            field=ggzy.core.secrets.EncryptedCharField(blank=True, max_length=129, verbose_name="动态口令密钥"),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
