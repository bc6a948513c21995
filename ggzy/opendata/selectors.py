"""Open data reads: a process's record and releases, and a date range as JSON Lines (no user scope: public only).

A process is a lot (tendering, GP methods: ``tendering.selectors_opendata``) or a rights listing
(``rights.selectors_opendata``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from ggzy.rights import selectors_opendata as listings
from ggzy.tendering import selectors_opendata as lots

from . import national, ocds, ocds_rights

EXPORT_CHUNK = 200


def _facts(*, ocid: str) -> dict[str, Any] | None:
    """The public facts of the process ``ocid``: a rights listing (``<prefix>-rights-<code>``) or a lot."""
    listing_code = ocds_rights.listing_code_of(ocid)
    if listing_code is not None:
        listing = listings.listing_get_public(code=listing_code)
        return listings.listing_open_facts(listing) if listing is not None else None
    code = ocds.lot_code_of(ocid)
    lot = lots.lot_get_public(code=code) if code else None
    return lots.lot_open_facts(lot) if lot is not None else None


def record_get_public(*, ocid: str) -> dict[str, Any] | None:
    """The record (releases + compiled release) of the process ``ocid``, or None when there is no such public one."""
    facts = _facts(ocid=ocid)
    return ocds.record_of(facts) if facts is not None else None


def record_package_public(*, ocid: str, uri: str) -> dict[str, Any] | None:
    facts = _facts(ocid=ocid)
    return ocds.record_package([facts], uri=uri) if facts is not None else None


def release_package_public(*, ocid: str, uri: str) -> dict[str, Any] | None:
    facts = _facts(ocid=ocid)
    return ocds.release_package([facts], uri=uri) if facts is not None else None


def process_list_public(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[str]:
    return ([ocds.ocid_for(code) for code in
             lots.lot_codes_changed(since=since, until=until).values_list("code", flat=True)]
            + [ocds_rights.ocid_for(code) for code in
               listings.listing_codes_changed(since=since, until=until).values_list("code", flat=True)])


def _all_facts(since: dt.datetime | None, until: dt.datetime | None) -> Iterator[dict[str, Any]]:
    """Every process with a public step in [since, until) — the lots, then the rights listings — read in chunks,
    so a province's years export in constant memory."""
    lot_qs = lots.lot_codes_changed(since=since, until=until)
    codes = list(lot_qs.values_list("code", flat=True))
    for start in range(0, len(codes), EXPORT_CHUNK):
        for lot in lot_qs.filter(code__in=codes[start:start + EXPORT_CHUNK]):
            yield lots.lot_open_facts(lot)
    listing_qs = listings.listing_codes_changed(since=since, until=until)
    codes = list(listing_qs.values_list("code", flat=True))
    for start in range(0, len(codes), EXPORT_CHUNK):
        for listing in listing_qs.filter(code__in=codes[start:start + EXPORT_CHUNK]):
            yield listings.listing_open_facts(listing)


def export_lines(*, since: dt.datetime | None = None, until: dt.datetime | None = None,
                 kind: str = "records") -> Iterator[str]:
    """One compiled record (``kind="records"``) or one release (``"releases"``) per line, for every process with a
    public step in [since, until)."""
    for facts in _all_facts(since, until):
        items = [ocds.record_of(facts)] if kind == "records" else ocds.releases_of(facts)
        for item in items:
            yield json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n"


def national_section_public(*, lot_code: str) -> list[dict[str, Any]] | None:
    """The national exchange records of one lot (标段) or rights listing (by its code), oldest first, or None when
    there is no such public one."""
    lot = lots.lot_get_public(code=lot_code)
    if lot is not None:
        return national.records_of(ocds.releases_of(lots.lot_open_facts(lot)))
    listing = listings.listing_get_public(code=lot_code)
    if listing is not None:
        return national.records_of(ocds.releases_of(listings.listing_open_facts(listing)))
    return None


def national_export_lines(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> Iterator[str]:
    """One national record per line for every lot and listing with a public step in [since, until)."""
    for facts in _all_facts(since, until):
        for record in national.records_of(ocds.releases_of(facts)):
            yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
