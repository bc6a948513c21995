"""Pages of the centers app: venues, rooms, seats and workstations of a center (staff), the shared directory,
cross-center requests to answer, an expert's workstation activation, and the live log of a remote session."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError
from ggzy.core.permissions import requires, roles

from . import selectors, services
from .models import Room

STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)
WATCHERS = roles(Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN)
EXPERT = roles(Role.EXPERT)


def _error_text(exc: DomainError) -> str:
    return "；".join("；".join(msgs) for msgs in exc.errors.values()) or exc.message


def _home_context(user) -> dict:
    return {
        "venues": selectors.venues_of_center(user.center_id),
        "directory": selectors.venue_directory(),
        "incoming": selectors.requests_incoming(user),
        "outgoing": selectors.requests_outgoing(user),
        "sessions": selectors.sessions_visible(user)[:50],
    }


@requires(STAFF)
def home_view(request):
    return render(request, "centers/home.html", _home_context(request.user))


def _room(request) -> Room:
    room = (
        Room.objects.select_related("venue").filter(pk=request.POST.get("room") or 0).first()
        if (request.POST.get("room") or "").isdigit()
        else None
    )
    if room is None:
        raise DomainError("评标室不存在", field="room")
    return room


@requires(STAFF)
@require_POST
def home_action_view(request, action: str):
    user, post = request.user, request.POST
    issued = None
    try:
        if action == "venue":
            services.venue_create(
                actor=user,
                name=post.get("name", ""),
                city=post.get("city", ""),
                address=post.get("address", ""),
            )
        elif action == "room":
            venue = selectors.venue_get(post.get("venue", ""))
            if venue is None:
                raise DomainError("场地不存在", field="venue")
            services.room_create(actor=user, venue=venue, name=post.get("room_name", ""))
        elif action == "workstation":
            services.workstation_add(actor=user, room=_room(request), seat_label=post.get("seat", ""))
        elif action == "code":
            workstation = selectors.workstation_get(post.get("workstation", ""))
            if workstation is None:
                raise DomainError("工位不存在", field="workstation")
            issued = (workstation, services.activation_code_issue(actor=user, workstation=workstation))
        elif action in ("accept", "decline"):
            pending = selectors.request_get(post.get("request", ""))
            if pending is None:
                raise DomainError("请求不存在或已答复", field="request")
            services.request_answer(
                actor=user, request=pending, accept=action == "accept", note=post.get("answer_note", "")
            )
        else:
            raise Http404("未知操作")
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        if issued is not None:  # the code is shown once, on this page, never stored in clear
            context = _home_context(user)
            context["issued"] = issued
            return render(request, "centers/home.html", context)
        messages.success(request, "已保存")
    return redirect("centers:home")


@requires(EXPERT)
def activate_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        try:
            services.workstation_activate(
                actor=request.user,
                code=request.POST.get("code", ""),
                fingerprint=request.POST.get(selectors.FINGERPRINT_FIELD, ""),
            )
        except DomainError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "评标工位已激活")
            return redirect(next_url or reverse("centers:activate"))
    current = selectors.workstation_for(
        user=request.user, fingerprint=selectors.presented_fingerprint(request)
    )
    return render(request, "centers/activate.html", {"current": current, "next": next_url})


@requires(WATCHERS)
def sessions_view(request):
    return render(
        request, "centers/sessions.html", {"sessions": selectors.sessions_visible(request.user)[:200]}
    )


def _session(request, session_id: int):
    session = selectors.session_get_for(request.user, session_id)
    if session is None:
        raise Http404("远程异地评标不存在")
    return session


@requires(WATCHERS)
def session_view(request, session_id: int):
    session = _session(request, session_id)
    context = {
        "session": session,
        "events": selectors.session_events(session),
        "requests": session.requests.select_related("to_center", "venue", "answered_by"),
    }
    if services.is_staff_of(request.user, session.center_id):  # the host center may ask other centers
        context["guest_venues"] = selectors.venue_directory().exclude(center_id=session.center_id)
        context["other_centers"] = selectors.centers_other_than(session.center_id)
    return render(request, "centers/session.html", context)


@requires(STAFF)
@require_POST
def session_request_view(request, session_id: int):
    """The host center's staff ask another center for seats in one of its venues, or for experts."""
    session = _session(request, session_id)
    post = request.POST
    kind = post.get("kind", "")
    center = post.get("to_center", "")
    try:
        services.session_request(
            actor=request.user,
            session=session,
            kind=kind,
            count=post.get("count", ""),
            venue=selectors.venue_get(post.get("venue", "")) if kind == "seats" else None,
            to_center_id=int(center) if center.isdigit() else None,
            note=post.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, "请求已发出，等待对方中心答复")
    return redirect("centers:session", session_id=session.pk)


@requires(WATCHERS)
def session_log_view(request, session_id: int):
    """The log alone, which the session page polls (htmx, every 2 s) to follow the session live."""
    session = _session(request, session_id)
    return render(
        request,
        "centers/partials/session_log.html",
        {"session": session, "events": selectors.session_events(session)},
    )
