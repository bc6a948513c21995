"""专家履职评价 — after the evaluation report is signed, the lot's tenderer (or its agency) and the lot's center rate
each drawn expert of the committee (issue 13, item 6). The lot and who may rate it are known here; the rating itself
is written by ``experts.services.expert_rate`` (one per expert, lot and side) and feeds the expert's performance
record and later draws."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError
from ggzy.core.permissions import requires, roles
from ggzy.experts import selectors as expert_selectors
from ggzy.experts.services.performance import MARK_LABELS, MARKS

from . import masking, policies, selectors
from .models import CommitteeMember, EvaluationReport
from .services import expert_rating_credit

RATERS = roles(Role.TENDERER, Role.AGENCY, Role.CENTER_STAFF, Role.ADMIN)


def _rateable_lot(request, lot_id: int):
    """The lot when the user may rate its experts: its tenderer/agency or its center's staff; 404 otherwise (the
    page does not say that a lot the user has nothing to do with exists)."""
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None or not (policies.is_project_owner(request.user, lot.project)
                           or policies.is_center_staff_for(request.user, lot.project.center)):
        raise Http404("标段不存在")
    return lot


def _side(user) -> str:
    return "tenderer" if user.role in (Role.TENDERER, Role.AGENCY) else "center"


@requires(RATERS)
def lot_expert_ratings_view(request, lot_id: int):
    lot = _rateable_lot(request, lot_id)
    report = EvaluationReport.objects.filter(lot=lot).first()
    signed = report is not None and report.completed_at is not None
    members = list(CommitteeMember.objects.filter(lot=lot, expert_ref__isnull=False)
                   .select_related("user").order_by("id")) if signed else []
    side = _side(request.user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not signed:
            raise Http404("评标报告尚未全部签署")
        member = next((m for m in members if str(m.pk) == request.POST.get("member", "")), None)
        expert = expert_selectors.expert_get(member.expert_ref) if member and member.expert_ref else None
        if expert is None:
            raise Http404("评标专家不存在")
        try:
            expert_rating_credit.lot_expert_rate(actor=request.user, lot=lot, expert=expert,
                                                 marks={k: request.POST.get(k) for k in MARKS},
                                                 comment=request.POST.get("comment", ""))
        except DomainError as exc:
            errors = exc.errors
        else:
            messages.success(request, "评价已保存")
            return redirect("tendering:lot_expert_ratings", lot_id=lot.pk)
    given: dict[tuple[int | None, str], Any] = {}
    if signed:
        given = {(r.expert_id, r.rater_role): r for r in expert_selectors.ratings_for_subject(lot.code)}
    # the members' names follow the lot's masking table: the center (and members) see them once drawn, the
    # tenderer and its agency only once the result is final — before that they rate "expert 1, 2, …"
    names = masking.visible("committee_names", lot, request.user)
    rows = [{"member": m, "mine": given.get((m.expert_ref, side)),
             "label": str(m.user) if names else gettext("评标专家 %(n)s") % {"n": n}}
            for n, m in enumerate(members, start=1)]
    return render(request, "tendering/pages/lot_expert_ratings.html", {
        "lot": lot, "signed": signed, "rows": rows, "side": side, "names_hidden": bool(rows) and not names,
        "marks": [(k, MARK_LABELS[k]) for k in MARKS], "scores": range(1, 6), "errors": errors,
    }, status=400 if errors else 200)


urlpatterns = [
    path("lots/<int:lot_id>/expert-ratings/", lot_expert_ratings_view, name="lot_expert_ratings"),
]
