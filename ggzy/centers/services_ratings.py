"""Ratings of trading centers and agencies (服务评价, V1): by the parties of a lot, and by anonymous third parties.

Who is a party of which lot is tendering's knowledge: tendering's rating page and endpoint decide it and call
``service_rating_submit`` with the lot's key (this app never imports tendering). The third-party channel is public,
without a captcha, limited per client address. Each rating is audited in the same transaction; a third party's
address is kept only for the limit and never shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, TooManyRequests
from ggzy.registry.models import Center, MarketEntity

from .models import RaterKind, RatingSubject, ServiceRating
from .selectors_ratings import is_agency

CRITERIA = (("compliance", "依法规范"), ("efficiency", "办事效率"), ("attitude", "服务态度"),
            ("transparency", "公开透明"))
COMMENT_MAX = 500
THIRD_PARTY_LIMIT = 5  # third-party ratings per client address per hour
THIRD_PARTY_WINDOW = dt.timedelta(hours=1)


def ratings_clean(data: dict[str, Any]) -> dict[str, Any]:
    """The four scores (integers 1–5) and the comment; every wrong field named at once."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, label in CRITERIA:
        raw = data.get(name)
        value = raw.strip() if isinstance(raw, str) else raw
        if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) == 1:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = f"{label}评分应为1到5的整数"
            continue
        clean[name] = value
    comment = data.get("comment") or ""
    if not isinstance(comment, str):
        errors["comment"] = "评价意见应为文字"
    elif len(comment.strip()) > COMMENT_MAX:
        errors["comment"] = f"评价意见不能超过{COMMENT_MAX}字"
    else:
        clean["comment"] = comment.strip()
    if errors:
        raise DomainError(errors=errors)
    return clean


def _subject_fields(subject: str, center: Center | None, agency: MarketEntity | None) -> dict[str, Any]:
    if subject == RatingSubject.CENTER and center is not None:
        return {"subject": subject, "center": center, "agency": None}
    if subject == RatingSubject.AGENCY and agency is not None:
        if not is_agency(agency):
            raise DomainError("被评价的主体不是招标代理机构", field="agency")
        return {"subject": subject, "center": None, "agency": agency}
    raise DomainError("请选择评价对象（交易中心或招标代理机构）", field="subject")


def _audit(actor: Any, rating: ServiceRating) -> None:
    audit_record(actor=actor, action="centers.service_rating", obj=rating, before=None, after={
        "subject": rating.subject, "center": rating.center_id, "agency": rating.agency_id,
        "subject_key": rating.subject_key, "rater_kind": rating.rater_kind,
        **{name: getattr(rating, name) for name, _ in CRITERIA}})


def service_rating_submit(*, actor: Any, subject: str, center: Center | None = None,
                          agency: MarketEntity | None = None, subject_key: str, rater_kind: str,
                          rater_entity: MarketEntity, data: dict[str, Any]) -> ServiceRating:
    """A party of the lot ``subject_key`` rates its center or its agency (the caller has checked it is a party)."""
    if rater_kind not in (RaterKind.TENDERER, RaterKind.BIDDER):
        raise DomainError("评价人类型无效", field="rater_kind")
    if not subject_key:
        raise DomainError("缺少评价事项", field="subject_key")
    fields = _subject_fields(subject, center, agency)
    if fields["agency"] is not None and fields["agency"].pk == rater_entity.pk:
        raise DomainError("招标代理机构不能评价自己", field="agency")
    clean = ratings_clean(data)
    try:
        with transaction.atomic():
            rating = ServiceRating.objects.create(**fields, **clean, subject_key=subject_key, rater_kind=rater_kind,
                                                  rater=actor, rater_entity=rater_entity, created_at=clock.now())
            _audit(actor, rating)
    except IntegrityError:
        raise Conflict("您已对该标段的此评价对象作出评价，每个标段只能评价一次", field="subject") from None
    return rating


def third_party_rating_submit(*, subject: str, center: Center | None = None, agency: MarketEntity | None = None,
                              data: dict[str, Any], address: str | None) -> ServiceRating:
    """An anonymous third party rates a center or an agency; marked third party, limited per address."""
    fields = _subject_fields(subject, center, agency)
    clean = ratings_clean(data)
    limit = getattr(settings, "GGZY_THIRD_PARTY_RATING_LIMIT", THIRD_PARTY_LIMIT)
    with transaction.atomic():
        if address:
            since = clock.now() - THIRD_PARTY_WINDOW
            recent = ServiceRating.objects.filter(rater_kind=RaterKind.THIRD_PARTY, address=address,
                                                  created_at__gt=since).order_by("created_at")
            times = list(recent.values_list("created_at", flat=True)[:limit])
            if len(times) >= limit:
                retry = times[0] + THIRD_PARTY_WINDOW
                raise TooManyRequests(f"同一网络地址每小时最多提交{limit}条第三方评价，请稍后再试", field="__all__",
                                      retry_after=int((retry - clock.now()).total_seconds()))
        rating = ServiceRating.objects.create(**fields, **clean, subject_key="", rater_kind=RaterKind.THIRD_PARTY,
                                              address=address or None, created_at=clock.now())
        _audit(None, rating)
    return rating
