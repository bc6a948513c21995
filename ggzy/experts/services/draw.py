"""The draw's writes up to the run: request (commit to the seed), run (after the beacon exists), notification.
The answers, redraws, sign-in and publication are in ``draw_answers``. Spec of the selection: docs/expert-draw.md."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.roles import Role
from ggzy.ledger import selectors as ledger_selectors

from .. import drawing, notify
from ..models import Classification, DrawnExpert, DrawRequest, DrawStatus
from ..selectors_draw import HOLDING, draw_candidates, draw_rules
from .entry import draw_rule_numbers

logger = logging.getLogger(__name__)
STAFF = (Role.CENTER_STAFF, Role.ADMIN)


@dataclass(frozen=True)
class Conflicts:
    """Who the drawn experts must not work for — passed in by the caller (tendering), never typed by hand."""

    bidder_entity_ids: list[int] = field(default_factory=list)
    tenderer_entity_id: int | None = None
    agency_entity_id: int | None = None
    supervising_entity_ids: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "bidder_entity_ids": sorted({int(i) for i in self.bidder_entity_ids}),
            "tenderer_entity_id": self.tenderer_entity_id,
            "agency_entity_id": self.agency_entity_id,
            "supervising_entity_ids": sorted({int(i) for i in self.supervising_entity_ids}),
        }


def _require_staff(actor: Any, field_name: str = "__all__") -> None:
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or getattr(actor, "role", "") not in STAFF
    ):
        raise NotAllowed("只有交易中心工作人员可以办理专家抽取", field=field_name)


def _clean_needs(needs: Any) -> list[list[Any]]:
    if not isinstance(needs, list | tuple) or not needs:
        raise DomainError("请至少填写一个抽取专业及人数", field="needs")
    cleaned: dict[str, int] = {}
    for item in needs:
        try:
            code, count = str(item[0]).strip().upper(), int(item[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise DomainError("抽取专业及人数格式不正确（专业代码, 人数）", field="needs") from None
        if count < 1 or count > 50:
            raise DomainError(f"专业 {code} 的抽取人数须在 1 至 50 之间", field="needs")
        if code in cleaned:
            raise DomainError(f"专业 {code} 重复填写", field="needs")
        cleaned[code] = count
    known = set(
        Classification.objects.filter(code__in=cleaned, is_active=True).values_list("code", flat=True)
    )
    unknown = sorted(set(cleaned) - known)
    if unknown:
        raise DomainError(f"专业分类代码不存在：{'、'.join(unknown)}", field="needs")
    return [[code, n] for code, n in sorted(cleaned.items())]


def draw_request_create(
    *,
    actor: Any,
    subject_code: str,
    subject_title: str,
    tenderer_entity_id: int | None,
    needs: list[tuple[str, int]],
    regions_include: list[int] | None = None,
    regions_exclude: list[int] | None = None,
    conflicts: Conflicts | None = None,
    scheduled_at: dt.datetime,
    witness: Any = None,
    answer_minutes: int = 30,
) -> DrawRequest:
    """A draw request: fixes the needs and commits to a fresh secret seed (its SHA-256 goes to the ledger). The
    per-employer cap and the too-often rule come from the catalog's template data in force today (never typed)."""
    _require_staff(actor)
    rules = draw_rule_numbers(clock.today())
    if not (subject_code or "").strip():
        raise DomainError("请填写标段编号", field="subject_code")
    if scheduled_at <= clock.now():
        raise DomainError("评标时间须晚于当前时间", field="scheduled_at")
    if witness is not None and (
        witness == actor or getattr(witness, "role", "") not in (*STAFF, Role.SUPERVISOR)
    ):
        raise DomainError("见证人须为另一名工作人员或监督人员", field="witness")
    clean = _clean_needs(needs)
    seed = secrets.token_bytes(32)
    with transaction.atomic():
        request = DrawRequest.objects.create(
            subject_code=subject_code.strip(),
            subject_title=(subject_title or "").strip(),
            tenderer_entity_id=tenderer_entity_id,
            needs=clean,
            regions_include=sorted({int(r) for r in regions_include or ()}),
            regions_exclude=sorted({int(r) for r in regions_exclude or ()}),
            conflicts=(conflicts or Conflicts(tenderer_entity_id=tenderer_entity_id)).as_json(),
            max_per_employer=rules["expert_draw_max_per_employer"]["value"],
            max_times_for_tenderer=rules["expert_draw_max_times_for_tenderer"]["value"],
            window_days=rules["expert_draw_times_window"]["value"],
            rules_basis=list(rules.values()),
            answer_minutes=answer_minutes,
            scheduled_at=scheduled_at,
            requested_by=actor,
            requested_at=clock.now(),
            center_id=getattr(actor, "center_id", None),
            witness=witness,
            seed=seed.hex(),
            pseudonym_key=secrets.token_bytes(32).hex(),
            seed_sha256=hashlib.sha256(seed).hexdigest(),
        )
        entry = audit_record(
            actor=actor,
            action="experts.draw.commit",
            obj=request,
            object_repr=f"专家抽取 {request.subject_code}",
            after={
                "seed_sha256": request.seed_sha256,
                "needs": clean,
                "rules": request.rules_basis,
                "scheduled_at": scheduled_at.isoformat(),
            },
        )
        request.commit_index = ledger_selectors.entry_index_for_source(source_id=entry.pk)
        request.save(update_fields=["commit_index"])
    return request


def draw_beacon(request: DrawRequest) -> tuple[str, int] | None:
    """(root hash hex, tree size) of the first checkpoint signed after the commitment, or None while none exists."""
    if request.commit_index is None:
        return None
    cp = ledger_selectors.checkpoint_first_covering(index=request.commit_index)
    if cp is None:
        return None
    return bytes(cp.root_hash).hex(), cp.tree_size


def _notify(drawn: DrawnExpert) -> None:
    r = drawn.request
    notify.sender().send(
        notify.Invitation(
            expert_name=drawn.expert.name,
            phone=drawn.expert.phone,
            subject_code=r.subject_code,
            subject_title=r.subject_title,
            scheduled_at=timezone.localtime(r.scheduled_at).strftime("%Y-%m-%d %H:%M"),
            answer_deadline=timezone.localtime(drawn.answer_deadline).strftime("%Y-%m-%d %H:%M"),
            page_path="/experts/invitations/",
        )
    )


def _hold(request: DrawRequest, slot: drawing.Slot, by_pseudonym: dict[str, int], order: int) -> DrawnExpert:
    now = clock.now()
    drawn = DrawnExpert.objects.create(
        request=request,
        expert_id=by_pseudonym[slot.id],
        pseudonym=slot.id,
        need=slot.need,
        order=order,
        notified_at=now,
        answer_deadline=now + dt.timedelta(minutes=request.answer_minutes),
    )
    transaction.on_commit(lambda: _notify(drawn))
    return drawn


def draw_run(*, actor: Any, request: DrawRequest, witness: Any = None) -> DrawRequest:
    """Run the draw: the beacon must exist; avoidance, selection, notification. A shortfall fails the draw with a
    clear reason and notifies nobody."""
    _require_staff(actor)
    with transaction.atomic():
        request = DrawRequest.objects.select_for_update().get(pk=request.pk)
        if not actor.is_provincial and request.center_id != actor.center_id:
            raise NotAllowed("只能运行本中心的专家抽取", field="__all__")
        if request.status != DrawStatus.REQUESTED:
            raise DomainError("该抽取已经运行过", field="__all__")
        witness = witness or request.witness
        if (
            witness is None
            or witness == actor
            or getattr(witness, "role", "") not in (*STAFF, Role.SUPERVISOR)
        ):
            raise DomainError("抽取须有另一名工作人员或监督人员见证", field="witness")
        beacon = draw_beacon(request)
        if beacon is None:
            raise DomainError(
                "承诺之后的日志检查点尚未签发，暂不能抽取（每分钟签发一次，请稍后再试）", field="__all__"
            )
        request.beacon, request.beacon_tree_size = beacon
        key = bytes.fromhex(request.pseudonym_key)
        eligible, avoided = drawing.avoid(draw_candidates(request), draw_rules(request))
        employer_group = {}
        entries, by_pseudonym = [], {}
        for c in eligible:
            pid = drawing.pseudonym(key, "expert", c.expert_id)
            if c.employer_id is not None and c.employer_id not in employer_group:
                employer_group[c.employer_id] = drawing.pseudonym(key, "employer", c.employer_id)
            entries.append(
                drawing.Entry(
                    pid,
                    tuple(sorted(c.classifications)),
                    employer_group.get(c.employer_id, "") if c.employer_id else "",
                )
            )
            by_pseudonym[pid] = c.expert_id
        request.eligible = [{"id": e.id, "classes": list(e.classes), "group": e.group} for e in entries]
        request.avoided = {str(k): v for k, v in avoided.items()}
        request.members = by_pseudonym
        request.run_at, request.run_by, request.witness = clock.now(), actor, witness
        outcome = drawing.select(
            bytes.fromhex(request.seed),
            request.beacon,
            entries,
            [tuple(n) for n in request.needs],
            request.max_per_employer,
        )
        if outcome.shortfall:
            # a failed draw is final at once: its seed, beacon, eligible pseudonyms and reason are published so
            # anyone can recompute that it failed (nobody was notified, so no names are in it)
            request.status, request.failure_reason = DrawStatus.FAILED, outcome.failure_reason()
            request.published_at = clock.now()
        else:
            request.status = DrawStatus.DRAWN
            for i, slot in enumerate(outcome.slots):
                _hold(request, slot, by_pseudonym, i)
        request.save()
        audit_record(
            actor=actor,
            action="experts.draw.run",
            obj=request,
            object_repr=f"专家抽取 {request.subject_code}",
            after={
                "beacon": request.beacon,
                "beacon_tree_size": request.beacon_tree_size,
                "eligible": len(entries),
                "drawn": len(outcome.slots),
                "witness": witness.pk,
                "status": request.status,
                "failure_reason": request.failure_reason,
                "published": request.published_at is not None,
            },
        )
    return request


__all__ = [
    "HOLDING",
    "Conflicts",
    "draw_beacon",
    "draw_request_create",
    "draw_run",
]
