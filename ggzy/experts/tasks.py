"""Huey tasks of the expert pool: one import of a dispersed pool runs in the background (progress on its page)."""

from huey.contrib.djhuey import db_task

from .services.imports import pool_import_run


@db_task()
def pool_import_task(import_id: int) -> str:
    return pool_import_run(import_id).status
