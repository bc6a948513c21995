"""Reads of the draw (re-exported by ``experts.selectors``): the candidates handed to ``drawing.avoid``, the
drawn experts at each stage, the published document. Names stay hidden until the stage the issue allows:
the expert sees their own at notification, the center at sign-in, the public once the result is final."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL

from ggzy.core import clock

from . import drawing
from .models import (
    DrawnExpert,
    DrawnState,
    DrawRequest,
    DrawStatus,
    Expert,
    ExpertClassification,
    ExpertPenalty,
    ExpertRating,
    ExpertRelative,
    ExpertStatus,
)

HOLDING = (DrawnState.NOTIFIED, DrawnState.CONFIRMED, DrawnState.SIGNED_IN)
ATTENDING = (DrawnState.CONFIRMED, DrawnState.SIGNED_IN)


def _holding(matched: list[str]) -> QuerySet[ExpertClassification, Any]:
    """Expert ids holding one of the ``matched`` codes, read from the (classification, expert) index."""
    return ExpertClassification.objects.filter(classification_id__in=matched).values("expert_id")


def _drawable(prefix: str = "") -> Q:
    """Active, available, not marked unavailable today — on the expert (``prefix`` "expert__" from a join)."""
    today = clock.today()
    return Q(**{f"{prefix}status": ExpertStatus.ACTIVE, f"{prefix}available": True}) & (
        Q(**{f"{prefix}unavailable_until__isnull": True}) | Q(**{f"{prefix}unavailable_until__lt": today})
    )


def drawable_expert_ids(codes: list[str]) -> QuerySet[Expert, Any]:
    """The ids of the drawable experts holding one of ``codes`` (or a code below): an ``IN`` subquery on the
    classification table (index ``classification, expert``) — no DISTINCT over the join, no model objects."""
    from .selectors import classification_with_descendants  # selectors re-exports this module

    matched = sorted(classification_with_descendants(codes))
    return Expert.objects.filter(_drawable(), pk__in=_holding(matched)).values("pk")


def draw_candidates(request: DrawRequest) -> list[drawing.Candidate]:
    """The drawable experts of the requested classifications, as plain data for ``drawing.avoid`` (the other
    pool members are not candidates at all: inactive, unavailable, or of another classification).

    A fixed number of queries whatever the pool size, each over the eligible ids (SQLite: as a subquery;
    PostgreSQL: as the id list, see below): (expert, classification, region, employer) rows; relatives' entities;
    penalties in force or decided in the record window; the per-tenderer counts; ratings in the record window
    (count, sum of marks); invitations left unanswered in the window; credit restrictions of ``expert_draw`` in
    force (``ggzy.credit``: the few restricted keys, intersected here). No model objects are built."""
    from .selectors import classification_with_descendants  # selectors re-exports this module

    matched = sorted(classification_with_descendants([code for code, _n in request.needs]))
    rows: dict[int, tuple[Any, Any]] = {}
    classes: dict[int, set[str]] = defaultdict(set)
    if connection.vendor == "postgresql":
        # The holders' ids first (the classification index), then every table by that id list (one array
        # parameter), each read through its expert index. With the "drawable" subquery instead, the planner
        # hash-joins a sequential scan of the whole pool (~90% of it is drawable) into every query: 2-3x slower.
        holders: Any = _id_array(_holding(matched).order_by().distinct().values_list("expert_id", flat=True))
    else:
        holders = _holding(matched)
    for expert_id, code, region, employer in (
        ExpertClassification.objects.filter(_drawable("expert__"), expert_id__in=holders)
        .order_by()
        .values_list("expert_id", "classification_id", "expert__region_id", "expert__employer_id")
    ):
        rows[expert_id] = (region, employer)
        classes[expert_id].add(code)
    ids: Any = (
        _id_array(sorted(rows))
        if connection.vendor == "postgresql"
        else Expert.objects.filter(_drawable(), pk__in=_holding(matched)).values("pk")
    )
    relatives: dict[int, set[int]] = defaultdict(set)
    for expert_id, entity_id in (
        ExpertRelative.objects.filter(expert_id__in=ids, entity__isnull=False)
        .order_by()
        .values_list("expert_id", "entity_id")
    ):
        relatives[expert_id].add(entity_id)
    today = clock.today()
    window = rule_number(request, "expert_draw_record_window")
    record_since = today - dt.timedelta(days=int(window)) if window is not None else None
    penalties: dict[int, set[str]] = defaultdict(set)
    incidents: dict[int, int] = defaultdict(int)
    # the candidates' penalties in force, and those decided within the record window: one query over the
    # candidates' subquery (penalties of the window are not few on a large pool)
    wanted = Q(until__isnull=True) | Q(until__gte=today)
    if record_since is not None:
        wanted |= Q(decided_on__gte=record_since)
    for expert_id, kind, decided_on, until in (
        ExpertPenalty.objects.filter(expert_id__in=ids, decided_on__lte=today)
        .filter(wanted)
        .order_by()
        .values_list("expert_id", "kind", "decided_on", "until")
    ):
        if expert_id not in rows:
            continue
        if until is None or until >= today:
            penalties[expert_id].add(kind)
        if record_since is not None and decided_on >= record_since:
            incidents[expert_id] += 1
    times: dict[int, int] = {}
    if request.tenderer_entity_id is not None:
        since = clock.now() - dt.timedelta(days=request.window_days)
        times = dict(
            DrawnExpert.objects.filter(
                request__tenderer_entity_id=request.tenderer_entity_id,
                request__requested_at__gte=since,
                state__in=ATTENDING,
            )
            .exclude(request=request)
            .values("expert_id")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("expert_id", "n")
        )
    ratings = _ratings(request, ids)
    _no_shows(request, ids, incidents)
    restricted = _credit_restricted(sorted(rows))
    empty: frozenset[Any] = frozenset()
    return [
        drawing.Candidate(
            expert_id=i,
            classifications=frozenset(classes[i]),
            region_id=rows[i][0],
            employer_id=rows[i][1],
            relative_entity_ids=frozenset(relatives[i]) if i in relatives else empty,
            penalty_kinds=frozenset(penalties[i]) if i in penalties else empty,
            times_for_tenderer=times.get(i, 0),
            rating_count=ratings.get(i, (0, 0))[0],
            rating_points=ratings.get(i, (0, 0))[1],
            incidents=incidents.get(i, 0),
            credit_restricted=i in restricted,
        )
        for i in sorted(rows)
    ]


def _id_array(ids: Any) -> RawSQL:
    """A list of ids as ONE array parameter (PostgreSQL: ``IN (SELECT unnest(%s))``): Django's ``__in`` with a
    list binds and plans a parameter per id, ~30 ms per query at 2,500 candidates; the array is one value, and the
    planner reads each table through its expert index."""
    # as the array's text form: psycopg would quote a Python list element by element (~40 ms at 2,500 ids)
    return RawSQL("SELECT unnest(%s::bigint[])", ("{" + ",".join(str(int(i)) for i in ids) + "}",))


def _credit_restricted(expert_ids: list[int]) -> set[int]:
    """The candidates with a credit restriction of behaviour ``expert_draw`` in force today (``ggzy.credit``:
    subject kind "expert", key = the expert's pk): the restricted keys (few) read once and intersected here."""
    from ggzy.credit import selectors as credit_selectors

    restricted = credit_selectors.subject_keys_restricted("expert", "expert_draw", at=clock.today())
    return {i for i in expert_ids if str(i) in restricted}


def rule_number(request: DrawRequest, key: str) -> Decimal | None:
    """The template number ``key`` the request recorded in ``rules_basis`` at its creation (None when the request
    predates the key: that rule is off for it, as it was when the request was made)."""
    for row in request.rules_basis or ():
        if isinstance(row, dict) and row.get("key") == key and row.get("value") is not None:
            return Decimal(str(row["value"]))
    return None


def _since(request: DrawRequest) -> dt.datetime | None:
    window = rule_number(request, "expert_draw_record_window")
    return None if window is None else clock.now() - dt.timedelta(days=int(window))


def _ratings(request: DrawRequest, ids: Any) -> dict[int, tuple[int, int]]:
    """Per candidate rated within the record window: (number of ratings, sum of their marks) — one grouped query;
    empty when the request's rules have no rating threshold (requests made before the rule existed)."""
    since = _since(request)
    if since is None or rule_number(request, "expert_draw_rating_min") is None:
        return {}
    marks = F("attendance") + F("punctuality") + F("quality") + F("conduct")
    return {
        expert_id: (n, int(points or 0))
        for expert_id, n, points in ExpertRating.objects.filter(expert_id__in=ids, rated_at__gte=since)
        .values("expert_id")
        .annotate(n=Count("id"), points=Sum(marks))
        .order_by()
        .values_list("expert_id", "n", "points")
    }


def _no_shows(request: DrawRequest, ids: Any, incidents: dict[int, int]) -> None:
    """Add to ``incidents`` each candidate's invitations left unanswered until they timed out (超时未答复) in other
    draws within the record window — one grouped query; nothing when the rule is off for the request."""
    since = _since(request)
    if since is None or rule_number(request, "expert_draw_incidents_max") is None:
        return
    for expert_id, n in (
        DrawnExpert.objects.filter(expert_id__in=ids, state=DrawnState.TIMED_OUT, answer_deadline__gte=since)
        .exclude(request=request)
        .values("expert_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("expert_id", "n")
    ):
        incidents[expert_id] += n


def draws_visible(user) -> QuerySet[DrawRequest]:
    """The draw requests a staff member may see and run: their center's (provincial staff and admins: all)."""
    qs = DrawRequest.objects.select_related("requested_by", "witness", "run_by", "center")
    if user is None or not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs if user.is_provincial else qs.filter(center_id=user.center_id)


def draw_get_for(user, pk: int) -> DrawRequest | None:
    return draws_visible(user).filter(pk=pk).first()


def draw_rules(request: DrawRequest) -> drawing.Rules:
    c = request.conflicts or {}
    return drawing.Rules(
        classifications=frozenset(code for code, _n in request.needs),
        bidder_entity_ids=frozenset(c.get("bidder_entity_ids") or ()),
        tenderer_entity_id=c.get("tenderer_entity_id"),
        agency_entity_id=c.get("agency_entity_id"),
        supervising_entity_ids=frozenset(c.get("supervising_entity_ids") or ()),
        regions_include=frozenset(request.regions_include or ()),
        regions_exclude=frozenset(request.regions_exclude or ()),
        max_times_for_tenderer=request.max_times_for_tenderer,
        rating_min=rule_number(request, "expert_draw_rating_min"),
        rating_count_min=int(rule_number(request, "expert_draw_rating_count_min") or 1),
        incidents_max=_int_or_none(rule_number(request, "expert_draw_incidents_max")),
    )


def _int_or_none(value: Decimal | None) -> int | None:
    return None if value is None else int(value)


def draw_request_get(request_id: int) -> DrawRequest:
    """One draw request by id (the tendering gateway's lookup; DoesNotExist when there is none)."""
    return DrawRequest.objects.get(pk=request_id)


def draw_entries(request: DrawRequest) -> list[drawing.Entry]:
    return [drawing.Entry(e["id"], tuple(e["classes"]), e["group"]) for e in request.eligible]


def draw_replay(request: DrawRequest) -> drawing.Draw:
    """The running draw rebuilt from the stored inputs: first selection, then the recorded refusals in order."""
    d = drawing.Draw(
        bytes.fromhex(request.seed),
        request.beacon,
        draw_entries(request),
        [tuple(n) for n in request.needs],
        request.max_per_employer,
    )
    d.run()
    for refused in request.refusals:
        d.redraw(refused)
    return d


def draw_holding(request: DrawRequest) -> list[DrawnExpert]:
    return list(request.drawn.filter(state__in=HOLDING).select_related("expert").order_by("order"))


def draw_notified(request: DrawRequest) -> list[DrawnExpert]:
    """The invitations still waiting for an answer, each with ``.expert.user`` (the expert answers their own)."""
    return list(
        request.drawn.filter(state=DrawnState.NOTIFIED).select_related("expert__user").order_by("order")
    )


def draw_confirmed_experts(request: DrawRequest) -> list[DrawnExpert]:
    """The experts who confirmed (or signed in already), each with ``.expert.user`` — for the committee."""
    return list(request.drawn.filter(state__in=ATTENDING).select_related("expert__user").order_by("order"))


def draw_attending_for_expert(request: DrawRequest, expert_id: int) -> DrawnExpert | None:
    """The slot an expert holds in a draw as confirmed or signed in (the one a recusal releases), or None."""
    return request.drawn.filter(expert_id=expert_id, state__in=ATTENDING).first()


def draw_is_complete(request: DrawRequest) -> bool:
    """Every slot of the needs is held by an expert who confirmed or signed in."""
    wanted = sum(int(n) for _code, n in request.needs)
    return (
        request.status in (DrawStatus.DRAWN, DrawStatus.PUBLISHED)
        and request.drawn.filter(state__in=ATTENDING).count() == wanted
    )


def draw_invitations_for_expert(expert) -> list[DrawnExpert]:
    """An expert's own invitations (their page): the lot, time, deadline — and their pseudonym in each draw."""
    return list(DrawnExpert.objects.filter(expert=expert).select_related("request").order_by("-notified_at"))


def drawn_name_for_center(drawn: DrawnExpert) -> str:
    """The name the center sees on its follow page: only once the expert has signed in (or the result is final)."""
    if drawn.state == DrawnState.SIGNED_IN or drawn.request.status == DrawStatus.PUBLISHED:
        return drawn.expert.name
    return ""


def draw_published_document(request: DrawRequest) -> dict[str, Any] | None:
    """The public recompute data once the result is final — published, or failed at the run (published at once,
    with its reason); None before (the page answers 404)."""
    failed = request.status == DrawStatus.FAILED and request.published_at is not None
    if request.status != DrawStatus.PUBLISHED and not failed:
        return None
    d = draw_replay(request)
    outcome = d.outcome()
    # which of the released slots were recusals at sign-in (the others: refused or no answer in time)
    recused = set(request.drawn.filter(state=DrawnState.RECUSED).values_list("pseudonym", flat=True))
    names = {
        x.pseudonym: x.expert.name
        for x in request.drawn.select_related("expert")
        if x.pseudonym in set(outcome.ids)
    }
    return drawing.published(
        bytes.fromhex(request.seed),
        request.beacon,
        draw_entries(request),
        [tuple(n) for n in request.needs],
        request.max_per_employer,
        request.refusals,
        outcome,
        draw=str(request.pk),
        subject_code=request.subject_code,
        subject_title=request.subject_title,
        commit_ledger_index=request.commit_index,
        beacon_tree_size=request.beacon_tree_size,
        run_at=request.run_at.isoformat() if request.run_at else None,
        rules=request.rules_basis,
        failed=bool(outcome.shortfall),
        failure_reason=outcome.failure_reason(),
        recusals=[r for r in request.refusals if r in recused],
    ) | {"names": names}


def draw_beacon_check(request: DrawRequest) -> bool:
    """The stored beacon is the root of the first checkpoint signed after the commitment (as the ledger says)."""
    from ggzy.ledger import selectors as ledger_selectors

    if request.commit_index is None or not request.beacon:
        return False
    cp = ledger_selectors.checkpoint_first_covering(index=request.commit_index)
    return (
        cp is not None
        and bytes(cp.root_hash).hex() == request.beacon
        and cp.tree_size == request.beacon_tree_size
    )
