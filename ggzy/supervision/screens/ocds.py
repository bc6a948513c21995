"""OCDS compiled releases built from the platform's history records, so Cardinal's red flags (``cardinal``) run on
the platform's own data with Cardinal's definitions and default settings.

One release per lot, only the fields ``cardinal.Cardinal.fold`` reads: ``ocid``, ``buyer.id``,
``tender.procurementMethod`` (open tenders "open"; competitive negotiation and inquiry, which invite
suppliers, "selective"), ``tender.numberOfTenderers`` (distinct
bidders), ``tender.tenderPeriod`` (documents issued → bid deadline), ``tender.procuringEntity.id`` (the tenderer),
``bids.details`` (status ``valid`` or ``disqualified``, one tenderer, the price in CNY, the arrival time) and one
``active`` award to the winner, its item classified by the lot's category code (R048 reads its first digits).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .cardinal import ALL_INDICATORS, Cardinal, Settings
from .history import HistoryRecord, by_lot

OCID_PREFIX = "ocds-ggzy-"
CURRENCY = "CNY"


def compiled_release(rows: list[HistoryRecord]) -> dict[str, Any]:
    """The compiled release of one lot (``rows``: its bids)."""
    first = rows[0]
    tender: dict[str, Any] = {
        "id": first.lot_id,
        "procurementMethod": first.method or "open",
        "numberOfTenderers": len({r.bidder_id for r in rows}),
        "procuringEntity": {"id": first.buyer_id},
    }
    if first.tender_start and first.deadline:
        tender["tenderPeriod"] = {"startDate": first.tender_start, "endDate": first.deadline}
    details = []
    for number, r in enumerate(rows, start=1):
        bid: dict[str, Any] = {
            "id": f"{first.lot_id}-{number}",
            "status": "disqualified" if r.disqualified else "valid",
            "tenderers": [{"id": r.bidder_id}],
        }
        if r.price is not None:
            bid["value"] = {"amount": r.price, "currency": CURRENCY}
        if r.submitted:
            bid["date"] = r.submitted
        details.append(bid)
    release: dict[str, Any] = {
        "ocid": OCID_PREFIX + first.lot_id,
        "buyer": {"id": first.buyer_id},
        "tender": tender,
        "bids": {"details": details},
    }
    winner = next((r for r in rows if r.is_winner), None)
    if winner is not None:
        award: dict[str, Any] = {"id": f"{first.lot_id}-award", "status": "active",
                                 "suppliers": [{"id": winner.bidder_id}]}
        if first.category:
            award["items"] = [{"id": "1", "classification": {"id": first.category}}]
        release["awards"] = [award]
    return release


def releases(records: Iterable[HistoryRecord]) -> Iterator[dict[str, Any]]:
    for rows in by_lot(records):
        yield compiled_release(rows)


def run_cardinal_on(records: Iterable[HistoryRecord], codes: Iterable[str] = ALL_INDICATORS) -> dict[str, Any]:
    """Cardinal's output (its shape, ``Meta`` included) for the given flags over the platform's records."""
    engine = Cardinal(Settings(enabled=set(codes), currency=CURRENCY))
    for release in releases(records):
        engine.fold(release)
    return engine.finish()


def lot_id_of(ocid: str) -> str:
    return ocid[len(OCID_PREFIX):] if ocid.startswith(OCID_PREFIX) else ocid
