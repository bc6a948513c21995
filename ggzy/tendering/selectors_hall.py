"""Reads for the online opening hall (不见面开标大厅): who may enter, and what the hall shows them now.

Sealed means sealed: until the lot is opened (deadline passed and the identities unsealed) the hall's state holds
the countdown and the lot's own state only — no bid, no sign-in, no count — so neither the page nor the event
stream (which sends only when this state changes) lets anyone count bidders. From the opening on, every party in
the hall sees each bid's decryption status and the record filling in as bids are decrypted (开标 is public to
the bidders present, 招标投标法 Art. 36); everyone else sees the opening record once it is published (masking).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ggzy.accounts.roles import Role
from ggzy.core.templatetags.ggzy_money import yuan

from . import masking, policies
from .choices import BidState, LotState, ObjectionState
from .models import Lot
from .procedures import procedure_for
from .services.client_sealed import window_end
from .services.hall import hall_bidder

FAILED_AT_OPENING = (BidState.DEEMED_WITHDRAWN, BidState.DEEMED_REVOKED)


def hall_audience(*, user, lot: Lot) -> str | None:
    """``center`` / ``supervisor`` / ``owner`` / ``bidder`` for the hall's parties, ``public`` (read-only) once the
    opening record is published, None when the user may not enter."""
    if lot.state == LotState.DRAFT:
        return None
    if policies.can_publish_lot(user, lot):
        return "center"
    if getattr(user, "role", None) == Role.SUPERVISOR and (user.is_provincial or user.center_id == lot.project.center_id):
        return "supervisor"
    if policies.is_project_owner(user, lot.project):
        return "owner"
    if hall_bidder(user=user, lot=lot) is not None:
        return "bidder"
    if masking.visible("bidders", lot, user):
        return "public"
    return None


def hall_signed_in(*, user, lot: Lot) -> bool:
    """Whether the market entity ``user`` bids for has signed in to the hall of ``lot``."""
    entity = hall_bidder(user=user, lot=lot)
    return entity is not None and lot.hall_sign_ins.filter(bidder=entity).exists()


def _local(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _phase(lot: Lot, now) -> str:
    if lot.state == LotState.PUBLISHED:
        return "before" if lot.bid_deadline is None or now < lot.bid_deadline else "due"
    if lot.state == LotState.FAILED and lot.opened_at is not None and not hasattr(lot, "opening_record"):
        return "failed"
    if lot.state == LotState.OPENING:
        return "opening"
    return "closed"


def _price_text(value) -> str:
    """A price as the lot page's opening record shows it (¥7,650,000.00); nothing while it is not known."""
    return yuan(value) if value not in (None, "") else ""


def _bid_row(bid, order: int, lot: Lot) -> dict[str, Any]:
    sheet = bid.price_sheet or {}
    row = {"key": f"b{order}", "order": order, "bidder": bid.bidder.name if bid.bidder_id else "",
           "credit_code": bid.bidder.credit_code if bid.bidder_id else "", "price": "", "duration_days": "",
           "quality": "", "reason": ""}
    if bid.state == BidState.SUBMITTED:
        row["status"] = "pending"
        if bid.sealed_by == "bidder":
            end = window_end(lot)
            row["status_label"] = _("待投标人解密")
            row["reason"] = _("解密截止 %(end)s") % {"end": timezone.localtime(end).strftime("%H:%M")} if end else ""
        else:
            row["status_label"] = _("待解密")
    elif bid.state == BidState.OPENED:
        row.update(status="decrypted", status_label=_("已解密"), price=_price_text(sheet.get("total_price")),
                   duration_days=sheet.get("duration_days") or "", quality=sheet.get("quality") or "")
    elif bid.state in FAILED_AT_OPENING:
        row.update(status="failed", status_label=_("解密失败"), reason=bid.failure_reason)
    else:
        row.update(status="failed", status_label=str(BidState(bid.state).label), reason=bid.failure_reason)
    return row


def _record_row(row: dict, order: int) -> dict[str, Any]:
    decrypted = row.get("price") not in (None, "")
    return {"key": f"b{order}", "order": order, "bidder": row.get("bidder", ""), "credit_code": row.get("credit_code", ""),
            "price": _price_text(row.get("price")), "duration_days": row.get("duration_days") or "",
            "quality": row.get("quality") or "", "reason": row.get("reason", ""),
            "status": "decrypted" if decrypted else "failed",
            "status_label": _("已解密") if decrypted else _("解密失败")}


def hall_state(*, user, lot: Lot, now) -> dict[str, Any]:
    """What the hall shows ``user`` now, as plain JSON-ready data (the page renders it, the stream sends it)."""
    lot = Lot.objects.select_related("project__center", "opening_record").get(pk=lot.pk)
    phase = _phase(lot, now)
    state: dict[str, Any] = {
        "clock": {"server_now": _local(now), "deadline": _local(lot.bid_deadline), "phase": phase,
                  "state": lot.state, "state_label": str(procedure_for(lot).state_label(lot.state)),
                  "opened_at": _local(lot.opened_at)},
        "bids": [], "sign_ins": [], "objections": [], "record": None, "failed_reason": "",
    }
    if phase == "before":
        return state  # sealed: nothing about bids, bidders or sign-ins before the deadline
    state["sign_ins"] = [{"bidder": s.bidder.name, "at": _local(s.signed_in_at),
                          "certificate": s.certificate_subject}
                         for s in lot.hall_sign_ins.select_related("bidder").order_by("signed_in_at", "pk")]
    if lot.opened_at is None:
        return state  # deadline passed, the lot not opened yet: identities are still sealed
    if phase == "failed":
        from ggzy.core.audit import AuditEntry

        entry = AuditEntry.objects.filter(action="lot.published_to_failed", object_id=str(lot.pk)).order_by("-pk").first()
        state["failed_reason"] = ((entry.after or {}).get("reason", "") if entry else "") or _("投标人少于规定数量，不予开标")
        return state
    record = getattr(lot, "opening_record", None)
    if lot.state == LotState.OPENING or record is None:
        bids = lot.bids.exclude(state=BidState.WITHDRAWN).select_related("bidder").order_by("arrived_at", "pk")
        state["bids"] = [_bid_row(bid, i, lot) for i, bid in enumerate(bids, start=1)]
    else:
        state["bids"] = [_record_row(row, i) for i, row in enumerate(record.rows, start=1)]
    if record is not None and record.published_at is not None:
        state["record"] = {"sha256": record.sha256, "published_at": _local(record.published_at)}
    state["objections"] = [
        {"id": o.pk, "bidder": o.bidder.name, "text": o.text, "raised_at": _local(o.raised_at),
         "answer": o.answer, "answered_at": _local(o.answered_at), "is_open": o.state == ObjectionState.OPEN}
        for o in lot.opening_objections.select_related("bidder").order_by("raised_at", "pk")]
    return state
