"""Huey tasks of the expert pool: one import of a dispersed pool runs in the background (progress on its page);
retirement at the age cap; draw invitations timing out (redraw)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services.draw_answers import draw_timeouts
from .services.entry import experts_retire_over_age
from .services.imports import pool_import_run


@db_task()
def pool_import_task(import_id: int) -> str:
    return pool_import_run(import_id).status


@db_periodic_task(crontab(hour="1", minute="10"))
def experts_retire_over_age_daily() -> int:
    """Experts past the age cap (template data) leave the drawable pool as 退出/到龄."""
    return experts_retire_over_age()


@db_periodic_task(crontab(minute="*"))
def draw_timeouts_task() -> int:
    """Every minute: invitations past their deadline time out and their slots are redrawn (补抽)."""
    return draw_timeouts()
