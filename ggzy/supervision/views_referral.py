"""Pages of the power lists and of referrals: the list of power items, the center's referral form (from a confirmed
alert or by hand), the referral list, and one referral with the department's handling forms."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from ggzy.core.errors import DomainError, NotFound
from ggzy.core.permissions import requires, roles
from ggzy.core.roles import Role
from ggzy.tendering import selectors_supervision as lots

from . import selectors, selectors_referral, services_referral
from .models import Alert, AlertState, ReferralOutcome, ReferralState

STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)
READERS = roles(Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN)


@requires(READERS)
def power_list_view(request):
    items = list(selectors_referral.power_items_active().order_by("department__code", "code"))
    return render(request, "supervision/pages/powers.html", {"items": items})


def _confirmed_alerts(user) -> list[Alert]:
    qs = Alert.objects.filter(state=AlertState.CONFIRMED)
    if not user.is_provincial:
        qs = qs.filter(center_id=user.center_id)
    return list(qs.order_by("-decided_at", "-pk")[:100])


@requires(READERS)
def referral_list_view(request):
    rows = selectors_referral.referrals_with_deadlines(user=request.user, limit=200)
    to_refer = _confirmed_alerts(request.user) if request.user.role in (Role.CENTER_STAFF, Role.ADMIN) else []
    return render(request, "supervision/pages/referrals.html", {"rows": rows, "to_refer": to_refer})


@requires(STAFF)
def referral_new_view(request):
    """GET ``?alert=<id>`` (a confirmed alert) or ``?lot=<id>`` (a case by hand); POST refers it."""
    source = request.POST if request.method == "POST" else request.GET
    alert = None
    lot_id: int | None = None
    if source.get("alert"):
        alert_id = services_referral.parse_id(source["alert"])
        alert = Alert.objects.filter(pk=alert_id).first() if alert_id else None
        if alert is None or not (request.user.is_provincial or alert.center_id == request.user.center_id):
            raise Http404("预警不存在")
        lot_id = alert.lot_id
    elif source.get("lot"):
        lot_id = services_referral.parse_id(source["lot"])
    label = lots.lot_label(lot_id=lot_id) if lot_id is not None else None
    if label is None or not (request.user.is_provincial or label["center_id"] == request.user.center_id):
        raise Http404("标段不存在")
    items = selectors_referral.power_items_for_lot(lot_id=lot_id)  # type: ignore[arg-type]
    errors: dict = {}
    if request.method == "POST":
        try:
            referral = services_referral.referral_create(
                actor=request.user, power_item_id=request.POST.get("power_item", ""), alert=alert, lot_id=lot_id,
                title=request.POST.get("title", ""), facts=request.POST.get("facts", ""),
                subject_ids=request.POST.getlist("subjects"))
        except DomainError as exc:
            errors = exc.errors
            messages.error(request, gettext(str(exc)))
        else:
            messages.success(request, gettext("已移交"))
            return redirect(reverse("supervision:referral_detail", args=[referral.pk]))
    subjects = lots.lot_bidder_names(lot_id=lot_id)  # type: ignore[arg-type]  # empty before the opening
    if alert is not None:
        subjects = {pk: name for pk, name in subjects.items() if str(pk) in alert.subjects}
    return render(request, "supervision/pages/referral_new.html", {
        "alert": alert, "lot": label, "lot_id": lot_id, "items": items, "subjects": subjects, "errors": errors,
        "form": request.POST if request.method == "POST" else {}})


@requires(READERS)
def referral_detail_view(request, referral_id: int):
    try:
        referral = selectors_referral.referral_get(user=request.user, referral_id=referral_id)
    except NotFound:
        raise Http404("移交案件不存在") from None
    member = selectors_referral.is_department_member(request.user, referral.department_id)
    actions = [a for (state, a) in services_referral.TRANSITIONS if state == referral.state] if member else []
    check = selectors.alert_evidence_check(alert=referral.alert) if referral.alert is not None else None
    return render(request, "supervision/pages/referral.html", {
        "r": referral, "steps": referral.steps.select_related("actor"), "actions": actions,
        "overdue": selectors_referral.is_overdue(referral), "escalations": referral.escalations.all(),
        "outcomes": ReferralOutcome.choices, "states": ReferralState, "check": check,
        "lot": lots.lot_label(lot_id=referral.lot_id) if referral.lot_id else None})


@requires(READERS)
@require_POST
def referral_act_view(request, referral_id: int):
    try:
        referral = selectors_referral.referral_get(user=request.user, referral_id=referral_id)
    except NotFound:
        raise Http404("移交案件不存在") from None
    try:
        services_referral.referral_act(
            actor=request.user, referral=referral, action=request.POST.get("action", ""),
            note=request.POST.get("note", ""), outcome=request.POST.get("outcome", ""),
            decision_no=request.POST.get("decision_no", ""), penalty=request.POST.get("penalty", ""),
            restriction_months=request.POST.get("restriction_months", ""),
            penalised=request.POST.getlist("penalised"))
    except DomainError as exc:
        messages.error(request, gettext(str(exc)))
    else:
        messages.success(request, gettext("办理记录已保存"))
    return redirect(reverse("supervision:referral_detail", args=[referral.pk]))
