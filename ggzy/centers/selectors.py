"""Reads of the centers app: the shared venue directory, a center's venues, sessions and their logs."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from ggzy.accounts.roles import Role

from .models import CenterRequest, RemoteSession, RequestKind, RequestState, SessionEvent, Venue, Workstation

FINGERPRINT_FIELD = "ws_fingerprint"
FINGERPRINT_COOKIE = "ggzy_ws"


def presented_fingerprint(request) -> str:
    """The device fingerprint the browser presents: the form field its script fills, else the cookie it sets."""
    return (request.POST.get(FINGERPRINT_FIELD) or request.COOKIES.get(FINGERPRINT_COOKIE) or "")[:128]


def venue_directory() -> QuerySet[Venue]:
    """Every active venue of every center, with its rooms and seat count (the shared directory)."""
    return (
        Venue.objects.filter(is_active=True)
        .select_related("center")
        .annotate(seat_count=Count("rooms__seats", distinct=True))
        .order_by("center__code", "name")
    )


def venues_of_center(center_id: int | None) -> QuerySet[Venue]:
    if center_id is None:
        return Venue.objects.none()
    return Venue.objects.filter(center_id=center_id).prefetch_related("rooms__seats__workstation__occupant")


def centers_other_than(center_id: int):
    from ggzy.registry.models import Center

    return Center.objects.exclude(pk=center_id).order_by("code")


def venue_get(pk) -> Venue | None:
    return Venue.objects.filter(pk=pk).first() if str(pk).isdigit() else None


def workstation_get(pk) -> Workstation | None:
    return (
        Workstation.objects.select_related("seat__room__venue").filter(pk=pk).first()
        if str(pk).isdigit()
        else None
    )


def workstation_for(*, user, fingerprint: str) -> Workstation | None:
    from .services import digest

    if not fingerprint or user is None or not user.is_authenticated:
        return None
    return (
        Workstation.objects.select_related("seat__room__venue__center")
        .filter(fingerprint_digest=digest(fingerprint.strip().lower()), occupant=user)
        .first()
    )


def workstation_in_session(*, session: RemoteSession, user, fingerprint: str) -> Workstation | None:
    """The browser's workstation when it is activated by ``user`` in one of the session's venues, else None."""
    workstation = workstation_for(user=user, fingerprint=fingerprint)
    if workstation is None or not session.venues.filter(venue_id=workstation.seat.room.venue_id).exists():
        return None
    return workstation


def session_for_subject(subject_key: str) -> RemoteSession | None:
    return (
        RemoteSession.objects.select_related("host_venue", "center")
        .prefetch_related("venues__venue")
        .filter(subject_key=subject_key)
        .first()
    )


def sessions_visible(user) -> QuerySet[RemoteSession]:
    """Administrators see every session; supervisors the sessions of the lots they supervise — the rule of
    ``tendering.selectors.lots_for_center`` (a session's center is its lot's center): the provincial center's
    supervisors every lot, a city's supervisors their center's lots; center staff the sessions their center hosts
    or is a guest in."""
    sessions = RemoteSession.objects.select_related("host_venue", "center")
    if user.role == Role.ADMIN:
        return sessions
    if user.role == Role.SUPERVISOR:
        return sessions if user.is_provincial else sessions.filter(center_id=user.center_id)
    if user.role == Role.CENTER_STAFF:
        return sessions.filter(
            Q(center_id=user.center_id) | Q(venues__venue__center_id=user.center_id)
        ).distinct()
    return sessions.none()


def session_get_for(user, pk) -> RemoteSession | None:
    return sessions_visible(user).filter(pk=pk).first() if str(pk).isdigit() else None


def session_events(session: RemoteSession) -> QuerySet[SessionEvent]:
    return session.events.select_related("venue", "workstation").order_by("id")


def requests_incoming(user) -> QuerySet[CenterRequest]:
    return (
        CenterRequest.objects.select_related("session", "venue", "to_center", "session__center")
        .filter(to_center_id=user.center_id)
        .order_by("state", "-requested_at")
    )


def requests_outgoing(user) -> QuerySet[CenterRequest]:
    return (
        CenterRequest.objects.select_related("session", "venue", "to_center", "answered_by")
        .filter(session__center_id=user.center_id)
        .order_by("-requested_at")
    )


def request_get(pk) -> CenterRequest | None:
    return (
        CenterRequest.objects.filter(pk=pk, state=RequestState.PENDING).first() if str(pk).isdigit() else None
    )


def expert_request_regions(subject_key: str) -> list[int]:
    """The service regions of the centers that ACCEPTED a request for experts in this lot's remote session: their
    experts join that lot's draw (issue 13; a request carries a count, not a list of experts, so by region)."""
    return sorted(
        set(
            CenterRequest.objects.filter(
                session__subject_key=subject_key, kind=RequestKind.EXPERTS, state=RequestState.ACCEPTED
            ).values_list("to_center__region_id", flat=True)
        )
    )
