"""Scheduled ledger work: a signed checkpoint at a fixed interval, cosigned by the in-process witnesses.

The interval is ``settings.GGZY_LEDGER_CHECKPOINT_MINUTES`` (default 10). Issuing is idempotent per tree
size, so a late or doubled run does no harm.
"""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .localwitness import ledger_cosign_locally
from .services import checkpoint_issue

_MINUTES = int(getattr(settings, "GGZY_LEDGER_CHECKPOINT_MINUTES", 10))


@db_periodic_task(crontab(minute=f"*/{_MINUTES}"))
def ledger_checkpoint_periodic() -> int:
    """Issue a checkpoint of the current tree and gather local cosignatures; returns the tree size."""
    checkpoint = checkpoint_issue(actor=None)
    ledger_cosign_locally(checkpoint=checkpoint)
    return checkpoint.tree_size
