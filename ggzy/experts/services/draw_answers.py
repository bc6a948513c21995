"""The draw's answers after the run: confirm or refuse, time out, recuse at sign-in — each a redraw (补抽) further
down the same ranking — the sign-in identity check, and publication once the lot's result is final."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError, NotAllowed

from ..identity import id_number_digest, id_number_normalize, id_number_validate
from ..models import DrawnExpert, DrawnState, DrawRequest, DrawStatus
from ..selectors_draw import draw_replay
from .draw import _hold, _require_staff


def _redraw(request: DrawRequest, drawn: DrawnExpert) -> DrawnExpert | None:
    """Exclude ``drawn`` for good and fill its slot further down the same ranking (补抽)."""
    d = draw_replay(request)
    new_slot = d.redraw(drawn.pseudonym)
    request.refusals = [*request.refusals, drawn.pseudonym]
    if new_slot is None:
        request.failure_reason = d.outcome().failure_reason()
    request.save(update_fields=["refusals", "failure_reason"])
    if new_slot is None:
        return None
    by_pseudonym = {k: int(v) for k, v in request.members.items()}
    order = (request.drawn.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    return _hold(request, new_slot, by_pseudonym, order)


def draw_recusal_redraw(
    *, actor: Any, request: DrawRequest, drawn: DrawnExpert, reason: str = ""
) -> DrawnExpert | None:
    """A confirmed expert recuses at sign-in (回避): their slot is redrawn (补抽) further down the same ranking, with
    the same avoidance, never returning them nor anyone who refused. The expert themself (through the committee's
    declaration) or the center may ask; returns the newly notified expert, or None when nobody is left."""
    with transaction.atomic():
        request = DrawRequest.objects.select_for_update().get(pk=request.pk)
        drawn = DrawnExpert.objects.select_for_update().select_related("expert").get(pk=drawn.pk)
        own = actor is not None and drawn.expert.user_id is not None and drawn.expert.user_id == actor.pk
        if not own:
            _require_staff(actor)
        if drawn.request_id != request.pk:
            raise DomainError("该专家不在本次抽取中", field="__all__")
        if request.status != DrawStatus.DRAWN:
            raise DomainError("抽取未在进行中，不能补抽", field="__all__")
        if drawn.state not in (DrawnState.CONFIRMED, DrawnState.SIGNED_IN):
            raise DomainError("只有已确认参加的专家可以回避补抽", field="__all__")
        drawn.state = DrawnState.RECUSED
        drawn.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="experts.draw.recuse",
            obj=drawn,
            object_repr=f"专家抽取 {request.subject_code} {drawn.pseudonym}",
            after={"state": drawn.state, "reason": (reason or "").strip()},
        )
        return _redraw(request, drawn)


def draw_answer(*, actor: Any, drawn: DrawnExpert, accept: bool) -> DrawnExpert:
    """The expert confirms or refuses their invitation (their own only, before the deadline)."""
    with transaction.atomic():
        drawn = DrawnExpert.objects.select_for_update().select_related("expert", "request").get(pk=drawn.pk)
        if (
            actor is None
            or drawn.expert.user_id is None
            or drawn.expert.user_id != getattr(actor, "pk", None)
        ):
            raise NotAllowed("只能答复本人的抽取通知", field="__all__")
        if drawn.state != DrawnState.NOTIFIED:
            raise DomainError("该通知已经答复或已超时", field="__all__")
        if clock.now() > drawn.answer_deadline:
            raise DomainError("已超过答复时限", field="__all__")
        drawn.state = DrawnState.CONFIRMED if accept else DrawnState.REFUSED
        drawn.answered_at = clock.now()
        drawn.save(update_fields=["state", "answered_at"])
        audit_record(
            actor=actor,
            action="experts.draw.confirm" if accept else "experts.draw.refuse",
            obj=drawn,
            object_repr=f"专家抽取 {drawn.request.subject_code} {drawn.pseudonym}",
            after={"state": drawn.state},
        )
        if not accept:
            request = DrawRequest.objects.select_for_update().get(pk=drawn.request_id)
            _redraw(request, drawn)
    return drawn


def draw_timeouts() -> int:
    """Every invitation past its deadline without an answer times out and is redrawn; returns how many."""
    due = list(
        DrawnExpert.objects.filter(state=DrawnState.NOTIFIED, answer_deadline__lt=clock.now()).values_list(
            "pk", flat=True
        )
    )
    for pk in due:
        with transaction.atomic():
            drawn = DrawnExpert.objects.select_for_update().select_related("request").get(pk=pk)
            if drawn.state != DrawnState.NOTIFIED:
                continue
            drawn.state = DrawnState.TIMED_OUT
            drawn.save(update_fields=["state"])
            audit_record(
                actor=None,
                action="experts.draw.timeout",
                obj=drawn,
                object_repr=f"专家抽取 {drawn.request.subject_code} {drawn.pseudonym}",
                after={"state": drawn.state},
            )
            _redraw(DrawRequest.objects.select_for_update().get(pk=drawn.request_id), drawn)
    return len(due)


def draw_sign_in(*, actor: Any, drawn: DrawnExpert, id_number: str) -> DrawnExpert:
    """Sign-in at the venue: staff enter the ID number shown to them; it must match the drawn expert's digest."""
    _require_staff(actor, "id_number")
    number = id_number_normalize(id_number or "")
    try:
        id_number_validate(number)
    except Exception:  # noqa: BLE001 — any invalid number is the same answer to the user
        raise DomainError("身份证号码格式不正确", field="id_number") from None
    with transaction.atomic():
        drawn = DrawnExpert.objects.select_for_update().select_related("expert", "request").get(pk=drawn.pk)
        if drawn.state != DrawnState.CONFIRMED:
            raise DomainError("该专家尚未确认参加或已签到", field="__all__")
        if id_number_digest(number) != drawn.expert.id_number_digest:
            raise DomainError("身份证号码与抽中的专家不符，不能签到", field="id_number")
        drawn.state, drawn.signed_in_at, drawn.signed_in_by = DrawnState.SIGNED_IN, clock.now(), actor
        drawn.save(update_fields=["state", "signed_in_at", "signed_in_by"])
        audit_record(
            actor=actor,
            action="experts.draw.sign_in",
            obj=drawn,
            object_repr=f"专家抽取 {drawn.request.subject_code} {drawn.pseudonym}",
            after={"state": drawn.state},
        )
    return drawn


def draw_publish(request: DrawRequest, *, actor: Any = None) -> DrawRequest:
    """The lot's result is final: seed, beacon, eligible list, needs, refusals, result and names become public."""
    with transaction.atomic():
        request = DrawRequest.objects.select_for_update().get(pk=request.pk)
        if request.status == DrawStatus.PUBLISHED:
            return request
        if request.status not in (DrawStatus.DRAWN, DrawStatus.FAILED) or not request.beacon:
            raise DomainError("抽取尚未运行，不能公开", field="__all__")
        request.status, request.published_at = DrawStatus.PUBLISHED, clock.now()
        request.save(update_fields=["status", "published_at"])
        audit_record(
            actor=actor,
            action="experts.draw.publish",
            obj=request,
            object_repr=f"专家抽取 {request.subject_code}",
            after={"seed": request.seed, "seed_sha256": request.seed_sha256, "beacon": request.beacon},
        )
    return request


__all__ = [
    "draw_answer",
    "draw_publish",
    "draw_recusal_redraw",
    "draw_sign_in",
    "draw_timeouts",
]
