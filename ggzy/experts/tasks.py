"""Huey tasks of the experts app."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services.draw import draw_timeouts


@db_periodic_task(crontab(minute="*"))
def draw_timeouts_task() -> int:
    """Every minute: invitations past their deadline time out and their slots are redrawn (补抽)."""
    return draw_timeouts()
