"""Who may do what to a market entity. Views, the API and the services ask these; nothing else decides.

- Anyone reads the public (masked) record.
- The entity's own users, staff of its home center, provincial staff and administrators see everything
  (personal IDs still masked) and may update it; only staff change its status.
- Registration: anonymous self-registration, or staff on behalf of an entity in their center's area.
- Verification (主体核验) and name changes are reviewed by the same staff; the entity's users only ask.
"""

from __future__ import annotations

from typing import Any

from ggzy.accounts.roles import Role

from .masking import Audience
from .models import MarketEntity, MarketEntityAccount


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


_ENTITY_CACHE = "_registry_entity_id"  # the user's entity id, remembered on the user object for one request


def entity_user_remember(user: Any, entity_id: int) -> None:
    setattr(user, _ENTITY_CACHE, entity_id)


def is_entity_user(user: Any, entity: MarketEntity) -> bool:
    """``user`` acts for ``entity`` (a MarketEntityAccount links them)."""
    if not _authenticated(user) or entity.pk is None:
        return False
    cached = getattr(user, _ENTITY_CACHE, None)
    if cached is None:
        cached = MarketEntityAccount.objects.filter(user=user).values_list("entity_id", flat=True).first() or 0
        entity_user_remember(user, cached)
    return cached == entity.pk


def is_staff_over_center(user: Any, center_id: int | None) -> bool:
    """Administrators, provincial staff, or staff of that center."""
    if not _authenticated(user):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.CENTER_STAFF or user.center_id is None:
        return False
    return user.center_id == center_id or user.is_provincial


def is_staff_over(user: Any, entity: MarketEntity) -> bool:
    return is_staff_over_center(user, entity.center_id)


def audience_for(user: Any, entity: MarketEntity) -> Audience:
    if is_staff_over(user, entity):
        return Audience.STAFF
    if is_entity_user(user, entity):
        return Audience.OWNER
    return Audience.PUBLIC


def can_view_full(user: Any, entity: MarketEntity) -> bool:
    return audience_for(user, entity) != Audience.PUBLIC


def can_update(user: Any, entity: MarketEntity) -> bool:
    return is_entity_user(user, entity) or is_staff_over(user, entity)


def can_view_versions(user: Any, entity: MarketEntity) -> bool:
    return can_update(user, entity)


def can_change_status(user: Any, entity: MarketEntity) -> bool:
    return is_staff_over(user, entity)


def can_verify(user: Any, entity: MarketEntity) -> bool:
    """主体核验 by review: staff of the entity's home center, provincial staff, administrators."""
    return is_staff_over(user, entity)


def can_review_name_change(user: Any, entity: MarketEntity) -> bool:
    return is_staff_over(user, entity)


def name_change_needs_review(user: Any, entity: MarketEntity) -> bool:
    """The entity's own users ask for a new name; its staff, being the reviewers, change it directly."""
    return not is_staff_over(user, entity)


def can_register(user: Any) -> bool:
    """Anonymous self-registration, or staff/administrators registering on behalf of an entity."""
    return not _authenticated(user) or user.role in (Role.CENTER_STAFF, Role.ADMIN)


def can_register_at(user: Any, center_id: int) -> bool:
    """Staff register entities of their own center's area only (provincial staff: anywhere)."""
    return not _authenticated(user) or is_staff_over_center(user, center_id)
