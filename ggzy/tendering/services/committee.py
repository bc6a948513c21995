"""Stage 6a: forming the committee (issue 13, item 4).

* By draw: the center asks the experts app (through ``expert_draws.gateway()``) for experts by classification and
  count; when every drawn expert has confirmed, the confirmed experts plus the tenderer's representative become the
  committee, checked against the committee rules of the lot's template (招标投标法 第三十七条).
* Directly, only where the law allows it (招标投标法实施条例 第四十七条: special projects where a random draw cannot
  serve): the reason is required and recorded, and the supervisor reads it on the lot page.
* Recusal: every member, at sign-in, reads the bidders' names from the published opening record and signs a
  declaration (no conflict, or recusal with a reason). A recusing member leaves the committee (the declaration stays)
  and the seat is redrawn (drawn committees) or filled by a new direct appointment; scoring waits until the committee
  is full and every member has declared.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ggzy.accounts.models import User
from ggzy.accounts.roles import Role
from ggzy.centers import selectors as centers
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.money import number_text
from ggzy.registry.models import Region

from .. import masking, policies, rules
from ..choices import CommitteeSeat, LotState
from ..expert_draws import ConflictInputs, Need, gateway
from ..models import CommitteeFormation, CommitteeMember, Lot, RecusalDeclaration
from ..procedures import lot_fresh, procedure_for

EXPERT_SEATS = (CommitteeSeat.EXPERT_TECHNICAL, CommitteeSeat.EXPERT_ECONOMIC)
SEAT_OF_KIND = {"technical": CommitteeSeat.EXPERT_TECHNICAL, "economic": CommitteeSeat.EXPERT_ECONOMIC}
FORMING_STATES = (LotState.OPENING, LotState.EVALUATING)
LAW_47 = (
    "直接确定评标专家须说明理由（招标投标法实施条例第四十七条：技术复杂、专业性强或者国家有特殊要求，"
    "采取随机抽取方式确定的专家难以保证胜任的特殊招标项目）"
)


def committee_minimum(lot: Lot) -> int:
    """The template's committee size; government procurement uses the larger size at or above its budget line."""
    project = lot.project
    minimum = rules.period_int(project, procedure_for(lot).committee_min_key)
    line = rules.period_optional(project, "committee_large_budget_threshold")
    large = rules.period_optional(project, "committee_members_min_large")
    if line is not None and large is not None and project.estimated_price >= line:
        minimum = max(minimum, int(large))
    return minimum


def _basis(lot: Lot, key: str) -> str:
    return rules.basis(lot.project, key) or "流程模板"


def _share_error(lot: Lot, experts: int, total: int) -> str | None:
    numerator = rules.period_optional(lot.project, "committee_expert_share_numerator")
    denominator = rules.period_optional(lot.project, "committee_expert_share_denominator")
    if numerator and denominator and total and experts * denominator < numerator * total:
        # 招标投标法 第三十七条: technical and economic experts at least two thirds of the committee.
        return f"技术、经济等方面的专家不得少于成员总数的{number_text(numerator)}/{number_text(denominator)}"
    return None


def _size_error(lot: Lot, size: int) -> str | None:
    minimum = committee_minimum(lot)
    if size < minimum or size % 2 == 0:
        key = procedure_for(lot).committee_min_key
        return f"评标委员会成员应为{minimum}人以上单数（当前{size}人；依据：{_basis(lot, key)}）"
    return None


def committee_rule_errors(lot: Lot, members: list[tuple[User, str]]) -> dict[str, str]:
    """Every committee rule of the lot's template the members break, by field (empty when they keep them all)."""
    users = [u for u, _ in members]
    errors: dict[str, str] = {}
    if len({u.pk for u in users}) != len(users):
        errors["members"] = "评标委员会成员不能重复"
    elif (size := _size_error(lot, len(members))) is not None:
        errors["members"] = size
    for user, seat in members:
        if seat not in CommitteeSeat.values:
            errors["members"] = "成员身份无效"
        elif seat in EXPERT_SEATS and user.role != Role.EXPERT:
            errors["members"] = f"{user}不是评标专家"
        elif seat == CommitteeSeat.TENDERER_REP and not (
            user.role == Role.TENDERER and policies.is_project_owner(user, lot.project)
        ):
            errors["members"] = f"{user}不是本项目招标人的代表"
    share = _share_error(lot, sum(1 for _, seat in members if seat in EXPERT_SEATS), len(members))
    if share:
        errors["members"] = share
    return errors


def _check_forming(actor, lot: Lot, *, owner_may: bool) -> None:
    allowed = policies.can_publish_lot(actor, lot) or (
        owner_may and policies.is_project_owner(actor, lot.project)
    )
    if not allowed:
        raise NotAllowed(
            "只有本中心工作人员或招标人可以确定评标专家"
            if owner_may
            else "只有本中心工作人员可以申请抽取评标专家"
        )
    if lot.state not in FORMING_STATES:
        raise Conflict("只能在开标后组建评标委员会", field="state")


def _conflicts(lot: Lot, supervising_entity_ids: list[int]) -> ConflictInputs:
    # The bidders are known to tendering from the opening on; they go to the experts app and nowhere else.
    bidders = sorted(set(lot.bids.filter(bidder__isnull=False).values_list("bidder_id", flat=True)))
    return ConflictInputs(
        bidder_entity_ids=tuple(bidders),
        tenderer_entity_id=lot.project.tenderer_id,
        agency_entity_id=lot.project.agency_id,
        supervising_entity_ids=tuple(sorted(set(supervising_entity_ids))),
    )


def _regions(codes, field: str) -> tuple[list[str], list[int]]:
    """Division codes (GB/T 2260) → (the codes, their region ids for the experts app); unknown codes refused."""
    wanted = sorted({str(c).strip() for c in codes or [] if str(c).strip()})
    found = dict(Region.objects.filter(code__in=wanted).values_list("code", "pk"))
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise DomainError(f"行政区划代码不存在：{'、'.join(unknown)}", field=field)
    return wanted, [found[c] for c in wanted]


def _parse_needs(needs) -> list[tuple[str, int, str]]:
    parsed: list[tuple[str, int, str]] = []
    for row in needs or []:
        try:
            code, count, kind = row
            count = int(count)
        except (TypeError, ValueError):
            raise DomainError("专业需求格式不正确（专业分类代码、人数、技术/经济）", field="needs") from None
        code = str(code or "").strip().upper()
        if not code or len(code) > 16:
            raise DomainError("专业分类代码不能为空", field="needs")
        if count < 1 or count > 99:
            raise DomainError(f"专业{code}的人数应在1到99之间", field="needs")
        if kind not in SEAT_OF_KIND:
            raise DomainError(f"专业{code}应注明技术专家或经济专家", field="needs")
        parsed.append((code, count, kind))
    if not parsed:
        raise DomainError("请至少填写一项专业需求", field="needs")
    return parsed


def committee_draw_request(
    *,
    actor,
    lot: Lot,
    needs,
    size: int | None = None,
    regions_include=(),
    regions_exclude=(),
    scheduled_at: dt.datetime | None = None,
    tenderer_rep: User | None = None,
    supervising_entity_ids=(),
) -> CommitteeFormation:
    """The center asks the experts app for a draw: classifications and counts, regions, time; conflicts passed in."""
    lot = lot_fresh(lot)
    _check_forming(actor, lot, owner_may=False)
    if not masking.stage_reached(lot, "opening_published"):
        # avoidance needs the bidders, known from the opening on
        raise Conflict("开标记录公布后方可申请抽取评标专家", field="state")
    if hasattr(lot, "committee_formation") or lot.committee.exists():
        raise Conflict("本标段已申请抽取或已组建评标委员会", field="committee")
    minimum = committee_minimum(lot)
    size = minimum if size in (None, "") else size
    try:
        size = int(size)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError("委员会人数应为整数", field="size") from None
    if (error := _size_error(lot, size)) is not None:
        raise DomainError(error, field="size")
    parsed = _parse_needs(needs)
    if tenderer_rep is not None and not (
        tenderer_rep.role == Role.TENDERER and policies.is_project_owner(tenderer_rep, lot.project)
    ):
        raise DomainError(f"{tenderer_rep}不是本项目招标人的代表", field="tenderer_rep")
    reps = 1 if tenderer_rep is not None else 0
    experts = sum(count for _, count, _ in parsed)
    if experts != size - reps:
        raise DomainError(
            f"专业需求人数合计应为{size - reps}人（委员会{size}人，其中招标人代表{reps}人；当前{experts}人）",
            field="needs",
        )
    if (share := _share_error(lot, experts, size)) is not None:
        raise DomainError(share, field="needs")
    if scheduled_at is None:
        raise DomainError("请填写评标时间", field="scheduled_at")
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at)
    if scheduled_at <= clock.now():
        raise DomainError("评标时间须晚于当前时间", field="scheduled_at")
    include, include_ids = _regions(regions_include, "regions_include")
    exclude, exclude_ids = _regions(regions_exclude, "regions_exclude")
    if set(include) & set(exclude):
        raise DomainError("同一地区不能既抽取又回避", field="regions_exclude")
    if include_ids:
        # an ACCEPTED cross-center request for experts (ggzy.centers) adds the other center's region to the draw
        # (the key is evaluation.remote_subject's); an empty include list already means the whole provincial pool
        lent = [r for r in centers.expert_request_regions(f"tendering.lot:{lot.pk}") if r not in include_ids]
        lent = [r for r in lent if r not in exclude_ids]
        include_ids = [*include_ids, *lent]  # the formation shows them too (its codes)
        include = [*include, *Region.objects.filter(pk__in=lent).order_by("code").values_list("code", flat=True)]
    conflicts = _conflicts(lot, [int(e) for e in supervising_entity_ids or []])
    # keyed: the ids are small numbers, a plain hash of them could be reversed by trying every set
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        json.dumps(
            [
                list(conflicts.bidder_entity_ids),
                conflicts.tenderer_entity_id,
                conflicts.agency_entity_id,
                list(conflicts.supervising_entity_ids),
            ]
        ).encode(),
        hashlib.sha256,
    ).hexdigest()
    totals: dict[str, int] = {}
    for code, count, _ in parsed:
        totals[code] = totals.get(code, 0) + count
    with transaction.atomic():
        request_id = gateway().request(
            actor=actor,
            subject_code=lot.code,
            subject_title=f"{lot.project.title} {lot.name}",
            tenderer_entity_id=lot.project.tenderer_id,
            needs=[Need(code, n) for code, n in totals.items()],
            regions_include=include_ids,
            regions_exclude=exclude_ids,
            conflicts=conflicts,
            scheduled_at=scheduled_at,
        )
        formation = CommitteeFormation.objects.create(
            lot=lot,
            method="draw",
            size=size,
            needs=[list(n) for n in parsed],
            regions_include=include,
            regions_exclude=exclude,
            scheduled_at=scheduled_at,
            draw_request_id=request_id,
            conflicts_sha256=digest,
            tenderer_rep=tenderer_rep,
            requested_by=actor,
            requested_at=clock.now(),
        )
        # the log names no bidder and counts none: only the digest of the conflict inputs
        audit_record(
            actor=actor,
            action="committee.draw_request",
            obj=lot,
            center_id=lot.project.center_id,
            after={
                "size": size,
                "needs": formation.needs,
                "draw_request": request_id,
                "conflicts_sha256": digest,
            },
        )
    return formation


def _seat_of(formation: CommitteeFormation, classification: str) -> str:
    for code, _, kind in formation.needs:
        if classification and (classification == code or classification.startswith(code)):
            return SEAT_OF_KIND[kind]
    return CommitteeSeat.EXPERT_TECHNICAL


def _recused_user_ids(lot: Lot) -> set[int]:
    return set(RecusalDeclaration.objects.filter(lot=lot, recused=True).values_list("user_id", flat=True))


def committee_form_from_draw(*, actor, lot: Lot) -> list[CommitteeMember]:
    """The confirmed experts (and the tenderer's representative) become the committee, or fill its open seats."""
    lot = lot_fresh(lot)
    _check_forming(actor, lot, owner_may=False)
    formation = getattr(lot, "committee_formation", None)
    if formation is None or formation.method != "draw" or formation.draw_request_id is None:
        raise Conflict("本标段尚未申请抽取评标专家", field="draw")
    current = list(lot.committee.select_related("user"))
    if len(current) >= formation.size:
        raise Conflict("评标委员会已组建", field="members")
    draw = gateway()
    if not draw.is_complete(formation.draw_request_id):
        raise Conflict("专家抽取尚未完成（尚有专家未确认或待补抽），暂不能组建评标委员会", field="draw")
    seated = {m.user_id for m in current} | _recused_user_ids(lot)
    new = [c for c in draw.confirmed(formation.draw_request_id) if c.user is None or c.user.pk not in seated]
    if any(c.user is None for c in new):
        raise Conflict("有抽中的专家尚未开通平台账户，请联系专家库管理员", field="draw")
    members = [(m.user, m.seat) for m in current] + [
        (c.user, _seat_of(formation, c.classification)) for c in new
    ]
    rep = formation.tenderer_rep
    if rep is not None and rep.pk not in seated:
        members.append((rep, CommitteeSeat.TENDERER_REP))
    errors = committee_rule_errors(lot, members)
    if not errors and len(members) != formation.size:
        errors["members"] = f"确认参加的专家人数与申请不符（应为{formation.size}人，当前{len(members)}人）"
    if errors:
        raise DomainError(errors=errors)
    now = clock.now()
    has_chair = any(m.is_chair for m in current)
    rows: list[CommitteeMember] = []
    with transaction.atomic():
        for c in new:
            rows.append(
                CommitteeMember.objects.create(
                    lot=lot,
                    user=c.user,
                    seat=_seat_of(formation, c.classification),
                    appointed_at=now,
                    source="draw",
                    expert_ref=c.expert_id,
                    is_chair=not has_chair and not rows,
                )
            )
        if rep is not None and rep.pk not in seated:
            rows.append(
                CommitteeMember.objects.create(
                    lot=lot, user=rep, seat=CommitteeSeat.TENDERER_REP, appointed_at=now, source="tenderer"
                )
            )
        formation.formed_at = now
        formation.save(update_fields=["formed_at"])
        audit_record(
            actor=actor,
            action="committee.form_draw",
            obj=lot,
            center_id=lot.project.center_id,
            after={"members": [r.pk for r in rows], "draw_request": formation.draw_request_id},
        )
    return rows


def committee_appoint_direct(
    *, actor, lot: Lot, members: list[tuple[User, str]], reason: str, chair: User | None = None
) -> list[CommitteeMember]:
    """Direct appointment where a random draw cannot serve (实施条例 第四十七条): the whole committee, or the seats
    left open by recusals; the reason is required, recorded, and shown to the supervisor."""
    lot = lot_fresh(lot)
    _check_forming(actor, lot, owner_may=True)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(LAW_47, field="reason")
    formation = getattr(lot, "committee_formation", None)
    current = list(lot.committee.select_related("user"))
    if formation is not None and len(current) >= formation.size or formation is None and current:
        raise Conflict("评标委员会已组建", field="members")
    if formation is not None and formation.method == "draw" and formation.formed_at is None:
        raise Conflict("本标段已申请随机抽取，请等待抽取完成", field="members")
    recused = _recused_user_ids(lot)
    if any(u.pk in recused for u, _ in members):
        raise DomainError("已申请回避的成员不能再次确定为本标段评标委员会成员", field="members")
    everyone = [(m.user, m.seat) for m in current] + list(members)
    errors = committee_rule_errors(lot, everyone)
    if not errors and formation is not None and len(everyone) != formation.size:
        errors["members"] = f"应补足{formation.size - len(current)}名成员（当前选择{len(members)}名）"
    if errors:
        raise DomainError(errors=errors)
    now = clock.now()
    has_chair = any(m.is_chair for m in current)
    record = {"at": now.isoformat(), "by": actor.pk, "reason": reason, "users": [u.pk for u, _ in members]}
    with transaction.atomic():
        if formation is None:
            formation = CommitteeFormation.objects.create(
                lot=lot,
                method="direct",
                reason=reason,
                size=len(everyone),
                requested_by=actor,
                requested_at=now,
                formed_at=now,
            )
        formation.appointments = [*formation.appointments, record]
        formation.save(update_fields=["appointments"])
        rows = [
            CommitteeMember.objects.create(
                lot=lot,
                user=user,
                seat=seat,
                appointed_at=now,
                source="tenderer" if seat == CommitteeSeat.TENDERER_REP else "direct",
                is_chair=not has_chair and (user.pk == chair.pk if chair is not None else False),
            )
            for user, seat in members
        ]
        audit_record(
            actor=actor,
            action="committee.appoint_direct",
            obj=lot,
            center_id=lot.project.center_id,
            after={"members": [u.pk for u, _ in members], "reason": reason},
        )
    return rows


def committee_appoint_direct_by_usernames(
    *, actor, lot: Lot, seats: list[tuple[str, str]], reason: str, chair_username: str | None = None
) -> list[CommitteeMember]:
    """The same as ``committee_appoint_direct`` for callers that name members by user name (pages and the API)."""
    users = {u.username: u for u in User.objects.filter(username__in=[name for name, _ in seats])}
    missing = [name for name, _ in seats if name not in users]
    if missing:
        raise DomainError(f"用户不存在：{'、'.join(missing)}", field="members")
    return committee_appoint_direct(
        actor=actor,
        lot=lot,
        members=[(users[name], seat) for name, seat in seats],
        reason=reason,
        chair=users.get(chair_username or ""),
    )


def scoring_blocker(lot: Lot) -> str | None:
    """Why the committee may not score yet (open seats, missing declarations), or None."""
    members = list(lot.committee.all())
    formation = getattr(lot, "committee_formation", None)
    size = formation.size if formation is not None else len(members)
    if not members:
        return "评标委员会尚未组建"
    if len(members) < size:
        return f"评标委员会尚缺{size - len(members)}名成员（回避后待补抽或补充确定），不能开始评分"
    declared = set(
        RecusalDeclaration.objects.filter(lot=lot, recused=False).values_list("user_id", flat=True)
    )
    missing = sum(1 for m in members if m.user_id not in declared)
    if missing:
        return f"尚有{missing}名评标委员会成员未签署回避声明，不能开始评分"
    return None


def committee_publish_draw(lot: Lot) -> None:
    """When the lot's result is final the experts app may publish the draw (names, seed, eligible list)."""
    formation = getattr(lot, "committee_formation", None)
    if formation is not None and formation.method == "draw" and formation.draw_request_id is not None:
        gateway().publish(formation.draw_request_id)


# the recusal declaration lives in .recusal (signed with the member's certificate); re-exported for the old callers
from .recusal import (  # noqa: E402, F401
    bidder_names,
    recusal_declare,
    recusal_statement,
    recusal_statement_text,
)
