"""ASGI entry point (uvicorn workers in a provincial deployment)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ggzy.settings.prod")
application = get_asgi_application()
