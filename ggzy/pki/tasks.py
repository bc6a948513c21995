"""Scheduled trust-store work: fetch each CA's CRL from its download address and ask its OCSP service about the
certificates in use (``services.revocation_refresh_all``). Idempotent, so a late or doubled run does no harm.
The interval is ``settings.GGZY_PKI_REFRESH_MINUTES`` (default 30)."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import revocation_refresh_all

_MINUTES = int(settings.GGZY_PKI_REFRESH_MINUTES)


@db_periodic_task(crontab(minute=f"*/{_MINUTES}"))
def pki_revocation_refresh_periodic() -> int:
    """Refresh every enabled CA with a CRL or OCSP address; returns how many reported a problem."""
    return sum(1 for result in revocation_refresh_all() if result.errors)
