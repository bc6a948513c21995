"""Scheduled credit work (Huey): the daily expiry job and the monthly score snapshot. Both are idempotent."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .evaluation import snapshot_month
from .publication import expire_due


@db_periodic_task(crontab(hour="1", minute="5"))
def credit_expire_daily():
    return expire_due()


@db_periodic_task(crontab(day="1", hour="1", minute="30"))
def credit_snapshot_monthly():
    return snapshot_month()
