"""Reads of the market-entity registry, already scoped to the reader."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext

from ggzy.accounts.roles import MARKET_ENTITY_ROLES, Role
from ggzy.core.errors import NotAllowed, NotFound

from . import policies
from .choices import NameChangeState
from .credit_code import credit_code_normalize
from .masking import Audience, entity_view
from .models import EntityNameChange, EntityVersion, MarketEntity, MarketEntityAccount, Region
from .models.regions import RegionLevel


def entity_list_visible(*, user: Any, q: str = "", city: str = "", entity_type: str = "",
                        status: str = "") -> QuerySet[MarketEntity]:
    """The public registry: every entity is public (masked); search by name or credit code, filter by city."""
    qs = MarketEntity.objects.select_related("region__parent", "center")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=credit_code_normalize(q)))
    if city:
        qs = qs.filter(Q(region__code=city) | Q(region__parent__code=city))
    if entity_type:
        qs = qs.filter(entity_type=entity_type)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("name_sort", "name", "id")


def entity_list_manageable(*, user: Any) -> QuerySet[MarketEntity]:
    """Entities the user may change: all for provincial staff/administrators, their center's for staff,
    their own for entity users, none for anyone else."""
    qs = MarketEntity.objects.select_related("region__parent", "center")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.role == Role.ADMIN or (user.role == Role.CENTER_STAFF and user.is_provincial):
        return qs
    if user.role == Role.CENTER_STAFF:
        return qs.filter(center_id=user.center_id)
    return qs.filter(accounts__user=user)


def entity_review_queue(*, user: Any) -> list[dict[str, Any]]:
    """What the user's center has to review (主体核验, 名称变更): staff and administrators only, oldest first."""
    if not getattr(user, "is_authenticated", False) or user.role not in (Role.CENTER_STAFF, Role.ADMIN):
        return []
    pending = EntityNameChange.objects.filter(state=NameChangeState.PENDING)
    qs = (entity_list_manageable(user=user)
          .filter(Q(verified_at__isnull=True) | Q(name_changes__state=NameChangeState.PENDING)).distinct()
          .prefetch_related(Prefetch("name_changes", queryset=pending, to_attr="pending_changes")))
    return [{"name": e.name, "credit_code": e.credit_code, "is_verified": e.is_verified,
             "new_name": e.pending_changes[0].new_name if e.pending_changes else None}
            for e in qs.order_by("created_at", "id")[:50]]


def _with_parts(qs: QuerySet[MarketEntity]) -> QuerySet[MarketEntity]:
    return qs.select_related("region__parent", "center").prefetch_related(
        "qualifications", "key_persons", "bank_accounts")


def entity_get(*, credit_code: str) -> MarketEntity:
    """One entity with its parts, or NotFound."""
    entity = _with_parts(MarketEntity.objects.filter(credit_code=credit_code_normalize(credit_code))).first()
    if entity is None:
        raise NotFound("市场主体不存在", field="credit_code")
    return entity


def entity_get_for_user(*, user: Any, credit_code: str) -> tuple[MarketEntity, Audience]:
    """The entity and the audience the user belongs to for it (public, owner, staff)."""
    entity = entity_get(credit_code=credit_code)
    return entity, policies.audience_for(user, entity)


def entity_view_for_user(*, user: Any, credit_code: str) -> tuple[MarketEntity, dict[str, Any]]:
    """The entity and its masked view for this user."""
    entity, audience = entity_get_for_user(user=user, credit_code=credit_code)
    return entity, entity_view(entity, audience)


def entity_versions_for_user(*, user: Any, entity: MarketEntity) -> QuerySet[EntityVersion]:
    """The change history, for the entity's own users and its staff only."""
    if not policies.can_view_versions(user, entity):
        raise NotAllowed("仅主体用户及其交易中心工作人员可查看变更记录", field="credit_code")
    return entity.versions.select_related("changed_by").order_by("-version")


def credit_code_taken(*, credit_code: str) -> bool:
    """Already registered (the registry is public, so saying so reveals nothing)."""
    return MarketEntity.objects.filter(credit_code=credit_code_normalize(credit_code)).exists()


def entity_of_user(*, user: Any) -> MarketEntity | None:
    """The entity the user acts for (bidder, tenderer, agency), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    link = MarketEntityAccount.objects.select_related("entity").filter(user=user).first()
    return link.entity if link else None


def entity_certificate_accounts(subject: Any) -> list[Any]:
    """The active bidder / tenderer / agency accounts of the entity whose credit code a certificate subject carries,
    earliest linked first. pki's certificate login calls it (registered in RegistryConfig.ready)."""
    links = (MarketEntityAccount.objects.select_related("user")
             .filter(entity__credit_code=subject.credit_code, user__is_active=True,
                     user__role__in=[str(r) for r in MARKET_ENTITY_ROLES])
             .order_by("linked_at", "id"))
    return [link.user for link in links]


def unverified_notice(entity: MarketEntity) -> str:
    """What an unverified entity's users are told to do (the page, the API refusal and tendering all say this)."""
    return (f"市场主体“{entity.name}”尚未核验，暂不能报名、投标或登记项目。请使用载有本单位统一社会信用代码"
            f"（{entity.credit_code}）的数字证书登录平台，登录成功即自动完成核验；或持营业执照等材料到"
            f"{entity.center.name}申请人工核验。")


def entity_require_verified(*, entity: MarketEntity) -> MarketEntity:
    """The entity, if the registry has verified it (主体核验); otherwise NotAllowed saying what to do.

    Tendering asks this before every act that commits an entity (sign-up, bid, project registration)."""
    if not entity.is_verified:
        raise NotAllowed(unverified_notice(entity), field="verification")
    return entity


def name_change_pending(*, entity: MarketEntity) -> EntityNameChange | None:
    """The entity's name change awaiting the center's review, if any."""
    return entity.name_changes.filter(state=NameChangeState.PENDING).select_related("requested_by").first()


def name_changes_for_user(*, user: Any, entity: MarketEntity) -> QuerySet[EntityNameChange]:
    """Every name change asked for, newest first, for the entity's own users and its staff only."""
    if not policies.can_view_versions(user, entity):
        raise NotAllowed("仅主体用户及其交易中心工作人员可查看名称变更申请", field="credit_code")
    return entity.name_changes.select_related("requested_by", "decided_by").order_by("-requested_at", "-id")


def city_choices() -> list[tuple[str, str]]:
    return list(Region.objects.filter(level=RegionLevel.CITY).order_by("code").values_list("code", "name"))


def region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Cities with their counties, for a grouped select: (city name, [(code, label), ...])."""
    cities = Region.objects.filter(level=RegionLevel.CITY).order_by("code").prefetch_related(
        Prefetch("children", queryset=Region.objects.order_by("code")))
    return [(city.name, [(city.code, gettext("%(city)s（市本级）") % {"city": city.name})]
             + [(county.code, f"{city.name}{county.name}") for county in city.children.all()])
            for city in cities]
