"""Production: PostgreSQL via DATABASE_URL, Redis for Huey via REDIS_URL, secrets from the environment."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["GGZY_SECRET_KEY"]
if "DATABASE_URL" not in os.environ:
    raise RuntimeError("生产环境必须设置 DATABASE_URL (PostgreSQL)")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
