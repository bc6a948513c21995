"""Shared helpers of the rights services: the locked listing, the template's numbers, the admitted count."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ggzy.catalog import selectors as catalog
from ggzy.core import fanout
from ggzy.core.errors import DomainError, NotFound

from ..choices import RegistrationState
from ..models import RightsListing


def listing_lock_query(listing_id: int):
    """The query locking the listing's row for the rest of the transaction (no ORDER BY on a locking query)."""
    return RightsListing.objects.select_for_update().filter(pk=listing_id).order_by()


def listing_locked(listing_id: int) -> RightsListing:
    """The listing's row, locked for the rest of the transaction (SQLite: the IMMEDIATE transaction serialises)."""
    try:
        return listing_lock_query(listing_id).get()
    except RightsListing.DoesNotExist:
        raise NotFound("挂牌项目不存在", field="listing") from None


def admitted_counter(listing: RightsListing):
    """A callable counting admitted bidders (asked only when a listing reaches its freeze time)."""
    def count() -> int:
        return listing.registrations.filter(state=RegistrationState.ADMITTED).count()

    return count


def template_number(listing_or_version, key: str) -> int:
    version = getattr(listing_or_version, "template_version", listing_or_version)
    return int(catalog.period_value(version, key))


def moment(value: object, *, field: str, label: str) -> dt.datetime | None:
    """A date-time from a form or the API: ISO text or a datetime; without a zone it is the platform's local time
    (a form's datetime-local field). Empty: None. Anything else: an error naming the field."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise DomainError(f"{label}格式不正确（例如 2026-03-04 10:00）", field=field) from None
    if not isinstance(value, dt.datetime):
        raise DomainError(f"{label}格式不正确（例如 2026-03-04 10:00）", field=field)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def seal_key_for(listing_id: int) -> str:
    """The ledger seal of a listing's registrations and deposits (who and how many): lifted at the close."""
    return f"rights-listing-{listing_id}"


def hall_topic(listing_id: int) -> str:
    """The fan-out topic of a listing's live hall (ggzy.core.fanout)."""
    return f"rights.hall.{listing_id}"


def hall_changed(listing_id: int) -> None:
    """What the listing's hall shows changed in this transaction: its watchers in every web process re-read it
    once the transaction commits (never on a rollback). Call it inside the transaction that makes the change."""
    fanout.publish(hall_topic(listing_id))
