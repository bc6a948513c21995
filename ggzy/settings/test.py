"""Test settings: fast hashing, eager tasks, in-memory SQLite unless DATABASE_URL names PostgreSQL."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import database_from_env

DATABASES = {"default": database_from_env(Path(tempfile.gettempdir()) / "ggzy-test.sqlite3")}
DATABASES["default"]["TEST"] = {"NAME": None}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {"huey_class": "huey.MemoryHuey", "name": "ggzy-test", "immediate": True}
ALLOWED_HOSTS = ["*"]

# Files and opening keys of a test run live in a throw-away directory.
_TEST_VAR = Path(tempfile.mkdtemp(prefix="ggzy-test-"))
GGZY_FILE_ROOT = _TEST_VAR / "files"
GGZY_OPENING_KEY_DIR = _TEST_VAR / "keys"
GGZY_LEDGER_KEY_FILE = _TEST_VAR / "ledger-key"
GGZY_LEDGER_WITNESS_DIR = _TEST_VAR / "ledger-witnesses"
