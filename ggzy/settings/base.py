"""Settings shared by every deployment. Environment variables select the rest."""

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("GGZY_VAR_DIR", PROJECT_DIR / "var"))

SECRET_KEY = os.environ.get("GGZY_SECRET_KEY", "insecure-dev-key-change-me-in-production")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("GGZY_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ninja",

    "ggzy.core",
    "ggzy.accounts",
    "ggzy.registry",
    "ggzy.catalog",
    "ggzy.disclosure",
    "ggzy.ledger",
    "ggzy.pki",
    "ggzy.tendering",
    "ggzy.supervision",
    "ggzy.experts",
    "ggzy.demo",
    "ggzy.centers",
    "ggzy.credit",
    "ggzy.opendata",
    "ggzy.publication",
    "ggzy.rights",
    "ggzy.kiosk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ggzy.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ggzy.core.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "ggzy.urls"
WSGI_APPLICATION = "ggzy.wsgi.application"
ASGI_APPLICATION = "ggzy.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ggzy.core.context_processors.platform",
            ],
        },
    },
]


def database_from_env(default_sqlite: Path) -> dict[str, Any]:
    """PostgreSQL when DATABASE_URL says so; otherwise the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL")
    config: dict[str, Any]
    pool_max = int(os.environ.get("GGZY_DB_POOL_MAX", "0") or 0)
    if url and pool_max > 0 and url.startswith(("postgres://", "postgresql://")):
        # under uvicorn every concurrent request runs in its own thread with its own connection: a bounded pool per
        # process keeps a burst of bidders from exhausting PostgreSQL's max_connections (requests wait their turn)
        config = dict(dj_database_url.parse(url, conn_max_age=0))
        config.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": pool_max, "timeout": 20}
    elif url:
        config = dict(dj_database_url.parse(url, conn_max_age=60))
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite ignores row locks: take the write lock at BEGIN so concurrent writers serialise.
        config.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    return config


DATABASES = {"default": database_from_env(VAR_DIR / "ggzy.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "disclosure:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "ggzy.core.error_views.csrf_failure"

# Login throttling (accounts.services.login_*): failures per user name and per address in the window.
GGZY_LOGIN_MAX_FAILURES = 5
GGZY_LOGIN_WINDOW_SECONDS = 15 * 60

# The platform's identity in every exchanged record (统一交易标识码 carries the system IDs).
GGZY_TRADING_SYSTEM_ID = os.environ.get("GGZY_TRADING_SYSTEM_ID", "SD-GGZY-T01")
GGZY_SERVICE_SYSTEM_ID = os.environ.get("GGZY_SERVICE_SYSTEM_ID", "SD-GGZY-S01")
GGZY_PLATFORM_NAME = "山东省公共资源交易平台"

HUEY = {
    "huey_class": "huey.SqliteHuey",
    "name": "ggzy",
    "filename": str(VAR_DIR / "huey.sqlite3"),
    "immediate": False,
}
if os.environ.get("REDIS_URL"):
    HUEY = {"huey_class": "huey.RedisHuey", "name": "ggzy", "url": os.environ["REDIS_URL"], "immediate": False}

# The live halls' fan-out (ggzy.core.fanout, ADR 0019): "local" (in-process), "postgres" (LISTEN/NOTIFY) or
# "redis" (pub/sub on GGZY_HALL_FANOUT_REDIS_URL, else REDIS_URL); empty = postgres on PostgreSQL, local on SQLite.
GGZY_HALL_FANOUT = os.environ.get("GGZY_HALL_FANOUT", "")
GGZY_HALL_FANOUT_REDIS_URL = os.environ.get("GGZY_HALL_FANOUT_REDIS_URL", "")
GGZY_HALL_FANOUT_CHANNEL = os.environ.get("GGZY_HALL_FANOUT_CHANNEL", "ggzy_fanout")  # one per deployment on Redis

# Periodic tasks (Huey's scheduler: ``manage.py run_huey``, which ``manage.py serve`` starts in the embedded mode).
# Minutes between ledger checkpoints (each is issued only when the log has grown) and between CRL/OCSP refreshes;
# a crontab ``*/N`` of the hour, so N from 1 to 60.
GGZY_LEDGER_CHECKPOINT_MINUTES = int(os.environ.get("GGZY_LEDGER_CHECKPOINT_MINUTES", 10))
GGZY_PKI_REFRESH_MINUTES = int(os.environ.get("GGZY_PKI_REFRESH_MINUTES", 30))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Content-addressed documents and sealed bids; opening keys (never in the database).
GGZY_FILE_ROOT = Path(os.environ.get("GGZY_FILE_ROOT", VAR_DIR / "files"))
GGZY_OPENING_KEY_DIR = Path(os.environ.get("GGZY_OPENING_KEY_DIR", VAR_DIR / "keys"))
# Largest single bid file accepted (bytes).
GGZY_BID_FILE_MAX_BYTES = int(os.environ.get("GGZY_BID_FILE_MAX_BYTES", 200 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Sign-in slow-down (accounts.services.login_wait_seconds); no account is ever locked. After GGZY_LOGIN_MAX_FAILURES
# failures of one user name since its last success (remembered this long), or four times as many from one client
# address within GGZY_LOGIN_WINDOW_SECONDS, each further attempt waits 2, 4, 8 … seconds after the last failure,
# at most GGZY_LOGIN_MAX_DELAY_SECONDS, and is refused unchecked while it waits.
GGZY_LOGIN_FAILURE_MEMORY_SECONDS = 24 * 60 * 60
GGZY_LOGIN_MAX_DELAY_SECONDS = 15 * 60
# The client address behind the reverse proxy (accounts.client_address): the forwarded header is believed only
# when REMOTE_ADDR is one of these proxies (addresses or CIDR networks, comma-separated); none by default.
GGZY_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("GGZY_TRUSTED_PROXIES", "").split(",") if p.strip()]
GGZY_CLIENT_IP_HEADER = os.environ.get("GGZY_CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR")

# Response hardening in every profile (ggzy.core.security): a Content-Security-Policy with a per-request nonce
# (GGZY_CSP overrides the directives), and staff, supervisors and administrators signed out after
# GGZY_STAFF_IDLE_TIMEOUT_SECONDS without a request (0 turns it off).
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "ggzy.core.security.ContentSecurityPolicyMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
                  "ggzy.core.security.StaffIdleTimeoutMiddleware")
GGZY_STAFF_IDLE_TIMEOUT_SECONDS = int(os.environ.get("GGZY_STAFF_IDLE_TIMEOUT_SECONDS", 30 * 60))
# The bidder's local certificate agent (ggzy-bid agent, docs: README): pages reach it at this address, and the
# Content-Security-Policy's connect-src allows it.
GGZY_AGENT_URL = os.environ.get("GGZY_AGENT_URL", "http://127.0.0.1:17380")
# Key for secrets stored encrypted in the database (TOTP seeds; ggzy.core.secrets), kept outside it. Empty: the
# environment variable of the same name at the time of use, else <VAR_DIR>/secrets-key, created on first use
# unless GGZY_SECRETS_KEY_CREATE is False (production).
GGZY_SECRETS_KEY_FILE = os.environ.get("GGZY_SECRETS_KEY_FILE", "")
GGZY_SECRETS_KEY_CREATE = True
# The platform's own signing certificate (bid receipts; ggzy.pki.platform_signing): GGZY_PLATFORM_SIGNING_CERT_FILE,
# _KEY_FILE and optional _CHAIN_FILE (PEM, environment variables); without them a demo certificate from the test PKI
# while GGZY_PLATFORM_SIGNING_DEMO is true (False in production).
GGZY_PLATFORM_SIGNING_DEMO = True

# Self-service terminal (/kiosk/): seconds without a touch before the terminal goes back home.
GGZY_KIOSK_IDLE_SECONDS = int(os.environ.get("GGZY_KIOSK_IDLE_SECONDS", "90"))
