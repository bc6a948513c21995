"""TOTP seeds are stored encrypted with a key kept outside the database; the code sees plain seeds."""

from __future__ import annotations

import importlib
import stat
from types import SimpleNamespace

import pyotp
import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from ggzy.accounts.models import User
from ggzy.accounts.roles import Role
from ggzy.core import secrets


@pytest.fixture
def key_path(settings, tmp_path):
    path = tmp_path / "keys" / "secrets-key"
    settings.GGZY_SECRETS_KEY_FILE = str(path)
    secrets._cache.clear()
    yield path
    secrets._cache.clear()


def _stored(user) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT totp_secret FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def test_the_database_holds_only_the_sealed_seed(key_path, make_user, centers):
    # given a member of staff (who gets a TOTP seed)
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    seed = User.objects.get(pk=staff.pk).totp_secret
    # then the row holds the sealed form, and the model gives back the seed
    stored = _stored(staff)
    assert stored.startswith(secrets.PREFIX) and seed not in stored
    assert len(seed) == 32 and pyotp.TOTP(seed).now().isdigit()
    assert len(stored) <= User._meta.get_field("totp_secret").max_length


def test_accounts_without_a_seed_stay_empty(key_path, make_user):
    bidder = make_user(Role.BIDDER)
    assert _stored(bidder) == "" and User.objects.get(pk=bidder.pk).totp_secret == ""
    assert User.objects.filter(pk=bidder.pk, totp_secret="").exists()


def test_the_key_file_is_created_private_on_first_use(key_path):
    # when a secret is sealed for the first time in the embedded profile
    secrets.encrypt("JBSWY3DPEHPK3PXP", context="t.c")
    # then the key file exists, readable by the platform's user only
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_production_refuses_to_invent_a_key(key_path, settings):
    settings.GGZY_SECRETS_KEY_CREATE = False
    with pytest.raises(ImproperlyConfigured, match="secrets_key_create"):
        secrets.encrypt("JBSWY3DPEHPK3PXP", context="t.c")
    assert not key_path.exists()


def test_another_key_or_another_column_does_not_decrypt(key_path, settings, tmp_path):
    # given a sealed value
    sealed = secrets.encrypt("JBSWY3DPEHPK3PXP", context="accounts_user.totp_secret")
    # then it does not open as another column's value
    with pytest.raises(secrets.SecretError):
        secrets.decrypt(sealed, context="accounts_user.password")
    # nor under another key file
    settings.GGZY_SECRETS_KEY_FILE = str(tmp_path / "other-key")
    with pytest.raises(secrets.SecretError):
        secrets.decrypt(sealed, context="accounts_user.totp_secret")


def test_serialised_users_carry_the_sealed_seed(key_path, make_user, centers):
    # given a member of staff
    from django.core import serializers

    staff = User.objects.get(pk=make_user(Role.CENTER_STAFF, center=centers["jinan"]).pk)
    # when the user is dumped (dumpdata, test snapshots)
    dumped = serializers.serialize("json", [staff])
    # then the dump holds no seed, and loading it back gives the same seed
    assert staff.totp_secret not in dumped
    [loaded] = list(serializers.deserialize("json", dumped))
    loaded.save()
    assert User.objects.get(pk=staff.pk).totp_secret == staff.totp_secret


def test_the_migration_encrypts_seeds_stored_in_plain(key_path, make_user, centers):
    # given a seed stored in plain, as before this change
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET totp_secret = %s WHERE id = %s", ["JBSWY3DPEHPK3PXP", staff.pk])
    assert User.objects.get(pk=staff.pk).totp_secret == "JBSWY3DPEHPK3PXP"  # still readable meanwhile
    migration = importlib.import_module("ggzy.accounts.migrations.0003_totp_secret_encrypted")
    # the functions use only these two of the schema editor (SQLite's own cannot open inside a test transaction)
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    # when the data migration runs
    migration.encrypt_existing(apps, editor)
    # then it is sealed, and reads back the same
    assert _stored(staff).startswith(secrets.PREFIX)
    assert User.objects.get(pk=staff.pk).totp_secret == "JBSWY3DPEHPK3PXP"
    # and the reverse puts it back in plain
    migration.decrypt_existing(apps, editor)
    assert _stored(staff) == "JBSWY3DPEHPK3PXP"
