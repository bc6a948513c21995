"""Embedded development / demo settings: SQLite file under var/; DEBUG off unless GGZY_DEBUG=1.

DEBUG is off so that the demo shows the platform's own 403/404/500 pages, as users would see them (Django's
debug pages replace them when it is on); ``manage.py serve`` serves the static files itself either way.

var/ is created 0700 and the SQLite files (database, task queue) 0600 before SQLite opens them.
"""

import os
from pathlib import Path

from ggzy.core.varfiles import var_dir_prepare

from .base import *  # noqa: F403
from .base import DATABASES, HUEY, VAR_DIR

DEBUG = os.environ.get("GGZY_DEBUG") == "1"
# The demo checkpoints its log every minute, so an act shows up under a signed checkpoint soon after it happens.
GGZY_LEDGER_CHECKPOINT_MINUTES = int(os.environ.get("GGZY_LEDGER_CHECKPOINT_MINUTES", 1))
var_dir_prepare(VAR_DIR, [Path(str(p)) for p in (
    DATABASES["default"]["NAME"] if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else None,
    HUEY.get("filename") if HUEY.get("huey_class") == "huey.SqliteHuey" else None,
) if p])
