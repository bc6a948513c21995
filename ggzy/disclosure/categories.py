"""Trading categories as the portal groups notices: the top-level items of the trading catalog in force (read
through the catalog's selector), so a category the province adds to its catalog appears on the portal; the
statutory list below is used only while no catalog version is in force (a new installation)."""

from __future__ import annotations

import datetime as dt

# The statutory categories that must trade on the platform (DOMAIN.md, Scope and structure).
PORTAL_CATEGORIES: dict[str, str] = {
    "01": "工程建设",
    "02": "政府采购",
    "03": "土地使用权",
    "04": "矿业权",
    "05": "国有产权",
    "06": "环境权益",
    "07": "医药采购",
}


def portal_categories(on_date: dt.date | None = None) -> dict[str, str]:
    """Code → name of the catalog's top-level categories in force on ``on_date`` (today by default)."""
    from ggzy.catalog.selectors import catalog_in_force

    entries = [entry for entry in catalog_in_force(on_date) if not entry.parent_code]
    return {entry.code: entry.name for entry in entries} or dict(PORTAL_CATEGORIES)
