"""Pages of challenges (异议/质疑) and complaints (投诉): a lot's page for its bidders (file, see the answer, withdraw,
complain) and its answerers (tenderer/agency/center staff answer); the supervision department's list of complaints
with their due dates and a complaint's page (accept, refuse, decide). The pages call the same services as the API."""

from __future__ import annotations

import re

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.core.permissions import requires, roles

from . import selectors
from . import selectors_complaints as sc
from .choices import ChallengeState, ComplaintOutcome, ComplaintState, ComplaintSubject
from .services import challenges, complaints
from .services import complaint_rules as cr

LOT_AUDIENCE = roles(Role.BIDDER, Role.TENDERER, Role.AGENCY, Role.CENTER_STAFF, Role.ADMIN)
SUPERVISOR = roles(Role.SUPERVISOR)


def _upload(request) -> tuple[str | None, bytes | None]:
    upload = request.FILES.get("attachment")
    if upload is None:
        return None, None
    if upload.size > cr.ATTACHMENT_MAX:
        raise DomainError("附件不能超过20MB", field="attachment")
    return upload.name, upload.read()


def _object_id(value: str) -> int:
    """A posted id, or 0 (no row has it) for anything that is not 1–18 ASCII digits."""
    return int(value) if re.fullmatch(r"[0-9]{1,18}", value or "") else 0


def _post(request, lot) -> str:
    """Run the posted action; returns the flash message."""
    action = request.POST.get("action", "")
    data = request.POST
    if action == "challenge_file":
        name, content = _upload(request)
        c = challenges.challenge_file(actor=request.user, lot=lot, subject=data.get("subject", ""),
                                      facts=data.get("facts", ""), requests=data.get("requests", ""),
                                      known_on=data.get("known_on") or None, attachment_name=name,
                                      attachment=content)
        return _("已提交，答复期限：%(due)s") % {"due": f"{timezone.localtime(c.answer_due):%Y-%m-%d %H:%M}"}
    if action == "complaint_file":
        challenge = None
        if data.get("challenge"):
            challenge = sc.own_challenge_get(request.user, _object_id(data["challenge"]))
            if challenge is None or challenge.lot_id != lot.pk:
                raise DomainError("所选异议（质疑）不是本人就本标段提出的", field="challenge")
        name, content = _upload(request)
        filed = complaints.complaint_file(actor=request.user, lot=lot, subject=data.get("subject", ""),
                                      facts=data.get("facts", ""), requests=data.get("requests", ""),
                                      challenge=challenge, known_on=data.get("known_on") or None,
                                      attachment_name=name, attachment=content)
        return _("投诉已提交，受理决定期限：%(due)s") % {"due": f"{timezone.localtime(filed.acceptance_due):%Y-%m-%d %H:%M}"}
    target_id = _object_id(data.get("id", ""))
    if action == "challenge_answer":
        row = sc.challenge_get_for_answerer(request.user, target_id)
        if row is None or row.lot_id != lot.pk:
            raise Http404
        challenges.challenge_answer(actor=request.user, challenge=row, answer=data.get("answer", ""))
        return _("答复已发出")
    if action == "challenge_withdraw":
        row = sc.own_challenge_get(request.user, target_id)
        if row is None or row.lot_id != lot.pk:
            raise Http404
        challenges.challenge_withdraw(actor=request.user, challenge=row)
        return _("已撤回")
    if action == "complaint_withdraw":
        complaint = sc.own_complaint_get(request.user, target_id)
        if complaint is None or complaint.lot_id != lot.pk:
            raise Http404
        complaints.complaint_withdraw(actor=request.user, complaint=complaint)
        return _("投诉已撤回")
    raise DomainError("未知操作", field="action")


@requires(LOT_AUDIENCE)
def lot_challenges_view(request, lot_id: int):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404("标段不存在")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            text = _post(request, lot)
        except DomainError as exc:
            errors = exc.errors
        else:
            messages.success(request, text)
            return redirect("tendering:lot_challenges", lot_id=lot.pk)
    answering = cr.can_answer(request.user, lot)
    rows = sc.challenges_for_answerer(request.user, lot)
    names = sc.complainant_names(rows)
    own = sc.own_challenges(request.user, lot) if request.user.role == Role.BIDDER else []
    return render(request, "tendering/pages/lot_challenges.html", {
        "lot": lot, "errors": errors, "answering": answering, "is_bidder": request.user.role == Role.BIDDER,
        "kind_label": cr.kind_label(lot), "is_government": cr.is_government(lot),
        "rows": [{"c": c, "complainant": names[c.pk]} for c in rows],
        "own": own, "own_complaints": sc.own_complaints(request.user, lot),
        "complainable": [c for c in own if c.state != ChallengeState.WITHDRAWN],
        "published": sc.published_answers(request.user, lot),
        "subjects": ComplaintSubject.choices, "form": request.POST if errors else {}, "now": clock.now(),
    }, status=400 if errors else 200)


@requires(SUPERVISOR)
def complaints_supervisor_view(request):
    return render(request, "tendering/pages/complaints.html",
                  {"rows": sc.complaints_open_for_supervisor(request.user)})


@requires(SUPERVISOR)
def complaint_view(request, complaint_id: int):
    complaint = sc.complaint_get_for_supervisor(request.user, complaint_id)
    if complaint is None:
        raise Http404("投诉不存在")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "accept":
                complaints.complaint_accept(actor=request.user, complaint=complaint,
                                            suspend=request.POST.get("suspend") == "1")
            elif action == "refuse":
                complaints.complaint_refuse(actor=request.user, complaint=complaint,
                                            reason=request.POST.get("reason", ""))
            elif action == "decide":
                complaints.complaint_decide(actor=request.user, complaint=complaint,
                                            outcome=request.POST.get("outcome", ""),
                                            decision=request.POST.get("decision", ""))
            else:
                raise DomainError("未知操作", field="action")
        except DomainError as exc:
            errors = exc.errors
        else:
            messages.success(request, _("已保存"))
            return redirect("tendering:complaint", complaint_id=complaint.pk)
    complaint.refresh_from_db()
    return render(request, "tendering/pages/complaint.html", {
        "complaint": complaint, "complainant": sc.complainant_names([complaint])[complaint.pk], "errors": errors,
        "now": clock.now(), "outcomes": ComplaintOutcome.choices, "is_filed": complaint.state == ComplaintState.FILED,
        "is_accepted": complaint.state == ComplaintState.ACCEPTED,
    }, status=400 if errors else 200)


urlpatterns = [
    path("lots/<int:lot_id>/challenges/", lot_challenges_view, name="lot_challenges"),
    path("complaints/", complaints_supervisor_view, name="complaints"),
    path("complaints/<int:complaint_id>/", complaint_view, name="complaint"),
]
