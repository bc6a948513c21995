"""ASGI entry point (uvicorn workers in a provincial deployment)."""

import gc
import os

from django.core.asgi import get_asgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ggzy.settings.prod")
application = get_asgi_application()
# Load every URL module (and the API's schemas) now, before the worker accepts a connection: Django would do it on
# the worker's first request, which then waits seconds (about 5 s of CPU) — and so does every request behind it,
# e.g. the bids that arrive just after a worker restarts during a countdown (issue 15).
get_resolver().url_patterns  # noqa: B018 — the cached property is the point
# The ~400 000 objects loaded so far live as long as the worker: keep them out of the collector's full passes, which
# otherwise walk them all while holding the GIL (110–250 ms measured), stalling every request of the worker —
# including one holding a listing's row lock, so every bidder on that listing waits too.
gc.freeze()
