"""Open data reads: a process's record and releases, and a date range as JSON Lines (no user scope: public only)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from ggzy.tendering import selectors_opendata as lots

from . import national, ocds

EXPORT_CHUNK = 200


def record_get_public(*, ocid: str) -> dict[str, Any] | None:
    """The record (releases + compiled release) of the process ``ocid``, or None when there is no such public one."""
    code = ocds.lot_code_of(ocid)
    lot = lots.lot_get_public(code=code) if code else None
    return ocds.record_of(lots.lot_open_facts(lot)) if lot is not None else None


def record_package_public(*, ocid: str, uri: str) -> dict[str, Any] | None:
    code = ocds.lot_code_of(ocid)
    lot = lots.lot_get_public(code=code) if code else None
    return ocds.record_package([lots.lot_open_facts(lot)], uri=uri) if lot is not None else None


def release_package_public(*, ocid: str, uri: str) -> dict[str, Any] | None:
    code = ocds.lot_code_of(ocid)
    lot = lots.lot_get_public(code=code) if code else None
    return ocds.release_package([lots.lot_open_facts(lot)], uri=uri) if lot is not None else None


def process_list_public(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[str]:
    return [ocds.ocid_for(code) for code in
            lots.lot_codes_changed(since=since, until=until).values_list("code", flat=True)]


def export_lines(*, since: dt.datetime | None = None, until: dt.datetime | None = None,
                 kind: str = "records") -> Iterator[str]:
    """One compiled record (``kind="records"``) or one release (``"releases"``) per line, for every process with a
    public step in [since, until): read in chunks, so a province's years export in constant memory."""
    qs = lots.lot_codes_changed(since=since, until=until)
    codes = list(qs.values_list("code", flat=True))
    for start in range(0, len(codes), EXPORT_CHUNK):
        for lot in qs.filter(code__in=codes[start:start + EXPORT_CHUNK]):
            facts = lots.lot_open_facts(lot)
            items = [ocds.record_of(facts)] if kind == "records" else ocds.releases_of(facts)
            for item in items:
                yield json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n"


def national_section_public(*, lot_code: str) -> list[dict[str, Any]] | None:
    """The national exchange records of one lot (标段), oldest first, or None when there is no such public lot."""
    lot = lots.lot_get_public(code=lot_code)
    return national.records_of(ocds.releases_of(lots.lot_open_facts(lot))) if lot is not None else None


def national_export_lines(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> Iterator[str]:
    """One national record per line for every lot with a public step in [since, until), in constant memory."""
    qs = lots.lot_codes_changed(since=since, until=until)
    codes = list(qs.values_list("code", flat=True))
    for start in range(0, len(codes), EXPORT_CHUNK):
        for lot in qs.filter(code__in=codes[start:start + EXPORT_CHUNK]):
            for record in national.records_of(ocds.releases_of(lots.lot_open_facts(lot))):
                yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
