"""The one door from tendering to the experts app's draw (issue 13, item 4).

Tendering never reaches into ``ggzy.experts`` anywhere else: the committee services call ``gateway()`` and get an
object with the operations below. ``ExpertsAppDraw`` forwards them to ``experts.services`` /
``experts.selectors`` (the contract in the issue); tests install a fake with ``use_gateway``. Should the experts app
be missing, the real gateway answers every call with a clear Chinese refusal.

Conflict inputs (the lot's bidders' entity ids, the tenderer, the agency, the supervising departments) are passed
IN to the experts app here and go nowhere else: never shown, never written to a log in clear.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from ggzy.core.errors import Conflict


@dataclass(frozen=True)
class Need:
    """How many experts of one classification (code from the national classification standard)."""

    code: str
    count: int


@dataclass(frozen=True)
class ConflictInputs:
    bidder_entity_ids: tuple[int, ...]
    tenderer_entity_id: int | None
    agency_entity_id: int | None
    supervising_entity_ids: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class Confirmed:
    """One drawn expert who confirmed: the expert's id in the experts app, its account, its classification."""

    expert_id: int
    user: Any
    classification: str


@dataclass(frozen=True)
class Invitation:
    """One drawn expert notified and not yet answered: the experts app's row (opaque here) and its account."""

    drawn: Any
    user: Any


class ExpertsDraw(Protocol):
    def request(
        self,
        *,
        actor,
        subject_code: str,
        subject_title: str,
        tenderer_entity_id: int | None,
        needs: list[Need],
        regions_include: list[int],
        regions_exclude: list[int],
        conflicts: ConflictInputs,
        scheduled_at: dt.datetime | None,
    ) -> int: ...

    def is_complete(self, request_id: int) -> bool: ...

    def confirmed(self, request_id: int) -> list[Confirmed]: ...

    def redraw(self, *, actor, request_id: int, expert_id: int, reason: str) -> bool:
        """Redraw a recused expert's seat (experts.services.draw_recusal_redraw: never that expert again, nor anyone
        who refused); False when nobody is left to draw (the seat is then filled directly, with a reason)."""
        ...

    def publish(self, request_id: int) -> None: ...

    def run(self, *, actor, request_id: int, witness) -> None:
        """Run the draw (after the ledger checkpoint that follows the commitment), with a witness."""
        ...

    def invitations(self, request_id: int) -> list[Invitation]: ...

    def answer(self, *, actor, drawn: Any, accept: bool) -> None:
        """The drawn expert (``actor``) confirms or refuses their own invitation."""
        ...


class _Checked:
    """A module of the experts app whose missing functions (an older experts app) refuse in Chinese."""

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        try:
            return getattr(self._module, name)
        except AttributeError:
            raise Conflict("专家库尚未启用，暂不能随机抽取评标专家", field="draw") from None


class ExpertsAppDraw:
    """The real draw: ``ggzy.experts.services`` / ``ggzy.experts.selectors`` (imported when first used)."""

    def _module(self, name: str) -> Any:
        try:
            return _Checked(importlib.import_module(f"ggzy.experts.{name}"))
        except ImportError:
            raise Conflict("专家库尚未启用，暂不能随机抽取评标专家", field="draw") from None

    def _request(self, request_id: int) -> Any:
        return self._module("selectors").draw_request_get(request_id)

    def request(self, *, actor, subject_code, subject_title, tenderer_entity_id, needs, regions_include,
                regions_exclude, conflicts, scheduled_at) -> int:
        services = self._module("services")
        made = services.draw_request_create(
            actor=actor, subject_code=subject_code, subject_title=subject_title,
            tenderer_entity_id=tenderer_entity_id, needs=[(n.code, n.count) for n in needs],
            regions_include=regions_include, regions_exclude=regions_exclude,
            conflicts=services.Conflicts(bidder_entity_ids=list(conflicts.bidder_entity_ids),
                                         tenderer_entity_id=conflicts.tenderer_entity_id,
                                         agency_entity_id=conflicts.agency_entity_id,
                                         supervising_entity_ids=list(conflicts.supervising_entity_ids)),
            scheduled_at=scheduled_at)
        return int(made.pk)

    def is_complete(self, request_id: int) -> bool:
        return bool(self._module("selectors").draw_is_complete(self._request(request_id)))

    def confirmed(self, request_id: int) -> list[Confirmed]:
        rows = self._module("selectors").draw_confirmed_experts(self._request(request_id))
        # DrawnExpert.need: the classification the expert was drawn for
        return [Confirmed(expert_id=r.expert.pk, user=r.expert.user, classification=getattr(r, "need", "") or "")
                for r in rows]

    def redraw(self, *, actor, request_id: int, expert_id: int, reason: str) -> bool:
        request = self._request(request_id)
        drawn = self._module("selectors").draw_attending_for_expert(request, expert_id)
        if drawn is None:
            return False  # not (or no longer) holding a slot: the seat is filled directly, with a reason
        new = self._module("services").draw_recusal_redraw(actor=actor, request=request, drawn=drawn, reason=reason)
        return new is not None  # None: nobody left to draw — the seat is filled directly, with a reason

    def publish(self, request_id: int) -> None:
        self._module("services").draw_publish(self._request(request_id))

    def run(self, *, actor, request_id: int, witness) -> None:
        self._module("services").draw_run(actor=actor, request=self._request(request_id), witness=witness)

    def invitations(self, request_id: int) -> list[Invitation]:
        rows = self._module("selectors").draw_notified(self._request(request_id))
        return [Invitation(drawn=r, user=r.expert.user) for r in rows]

    def answer(self, *, actor, drawn: Any, accept: bool) -> None:
        self._module("services").draw_answer(actor=actor, drawn=drawn, accept=accept)


_GATEWAY: list[ExpertsDraw] = [ExpertsAppDraw()]


def gateway() -> ExpertsDraw:
    return _GATEWAY[0]


def use_gateway(draw: ExpertsDraw) -> ExpertsDraw:
    """Install another gateway (tests); returns the previous one so it can be put back."""
    previous = _GATEWAY[0]
    _GATEWAY[0] = draw
    return previous
