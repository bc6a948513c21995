"""Credit checks where trading happens (issue 18, item 3): sign-up, bid submission and award.

An entity with a restriction in force for the behaviour is refused with the restriction's reason. Every check —
passed or refused — is logged with its time and result. Before the opening a check at sign-up or submission is
sealed like the act it guards: the entry names the lot (under the lot's seal key, so the public log shows only a
commitment until the opening) and the bidder's per-lot tag, never the bidder; who was checked, and against which
record, is encrypted to the lot's opening key. The award happens after the opening and is logged in the open.
"""

from __future__ import annotations

import base64

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict
from ggzy.credit import selectors as credit_selectors

from .. import sealing
from ..models import BidEvent, Lot

ACTION = "credit.check"
PASSED, REFUSED = "passed", "refused"


def _restriction(entity, behaviour: str):
    code = getattr(entity, "credit_code", "") or ""
    if not code:
        return None
    return credit_selectors.restriction_in_force("entity", code, behaviour, at=clock.today())


def _sealed_entry(*, actor, lot: Lot, entity, behaviour: str, restriction) -> None:
    now = clock.now()
    tag = sealing.bidder_tag(lot_id=lot.pk, entity_id=entity.pk)
    detail = {"entity_id": entity.pk, "record_no": restriction.record.record_no if restriction else ""}
    after = {"behaviour": behaviour, "result": REFUSED if restriction else PASSED, "checked_at": now,
             "bidder_tag": tag,
             "detail_sealed": base64.b64encode(sealing.seal_small(lot, detail)).decode("ascii")}
    audit_record(actor=actor, action=ACTION, object_type="tendering.lot", object_id=str(lot.pk),
                 object_repr="信用核查（密封）", center_id=lot.project.center_id, sealed=True, after=after,
                 seal_key=sealing.seal_key(lot.pk))
    if restriction is not None and behaviour == "bid":
        BidEvent.objects.create(lot=lot, bidder_tag=tag, kind="refused_other", at=now, detail="信用限制")


def credit_refuse_sealed(*, actor, lot: Lot, entity, behaviour: str) -> None:
    """Sign-up or submission, before the act: refuse a restricted entity, the refusal logged sealed in its own
    transaction (no bidder, no record named). A passed check is logged with the act (``credit_passed_sealed``),
    so an act refused later for other reasons (bad input) changes nothing."""
    restriction = _restriction(entity, behaviour)
    if restriction is None:
        return
    with transaction.atomic():  # its own transaction: the refusal is logged though the act is not done
        _sealed_entry(actor=actor, lot=lot, entity=entity, behaviour=behaviour, restriction=restriction)
    raise Conflict(credit_selectors.restriction_reason(restriction), field="credit")


def credit_passed_sealed(*, actor, lot: Lot, entity, behaviour: str) -> None:
    """Inside the act's transaction: check again (a ban may have started meanwhile: the act rolls back) and log
    the passed check sealed, just before the act's own entry."""
    restriction = _restriction(entity, behaviour)
    if restriction is not None:
        raise Conflict(credit_selectors.restriction_reason(restriction), field="credit")
    _sealed_entry(actor=actor, lot=lot, entity=entity, behaviour=behaviour, restriction=None)


def _award_entry(*, actor, lot: Lot, entity, restriction) -> None:
    after = {"behaviour": "award", "result": REFUSED if restriction else PASSED, "checked_at": clock.now(),
             "entity": entity.name, "credit_code": entity.credit_code,
             "record_no": restriction.record.record_no if restriction else ""}
    audit_record(actor=actor, action=ACTION, object_type="tendering.lot", object_id=str(lot.pk),
                 object_repr="信用核查（中标）", center_id=lot.project.center_id, after=after)


def credit_passed_award(*, actor, lot: Lot, entity) -> None:
    """Inside the award's transaction: log the passed check (with the entity: the award is public)."""
    _award_entry(actor=actor, lot=lot, entity=entity, restriction=None)


def award_restriction(entity):
    """The restriction stopping ``entity`` from being awarded today, or None."""
    return _restriction(entity, "award")


def credit_refused_award_log(*, actor, lot: Lot, entity, restriction) -> str:
    """Log the refused award check (in the caller's transaction) and return the reason in Chinese."""
    _award_entry(actor=actor, lot=lot, entity=entity, restriction=restriction)
    return credit_selectors.restriction_reason(restriction)
