"""Writes of the catalog app. Pages, the API, the admin and the demo loader call these and nothing else."""

from .catalog import (
    catalog_item_delete,
    catalog_item_save,
    catalog_version_draft_from,
    catalog_version_publish,
    catalog_version_save,
    city_catalog_extension_save,
    consultation_save,
    rule_save,
)
from .holidays import holiday_year_enter
from .templates import process_template_create, process_template_rename, template_version_revise

__all__ = [
    "catalog_item_delete", "catalog_item_save", "catalog_version_draft_from", "catalog_version_publish",
    "catalog_version_save", "city_catalog_extension_save", "consultation_save", "holiday_year_enter",
    "process_template_create", "process_template_rename", "rule_save", "template_version_revise",
]
