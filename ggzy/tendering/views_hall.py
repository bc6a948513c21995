"""The online opening hall (不见面开标大厅): the page, its server-sent event stream, and the bidder's sign-in.

The page renders the hall's state once; ``static/tendering/hall.js`` then keeps it live from the event stream
(``text/event-stream``). Each stream is bounded (``GGZY_HALL_STREAM_SECONDS``, 60 s by default) so a WSGI thread is
never held for long: the browser's EventSource reconnects by itself and sends Last-Event-ID, and the server sends
again only what changed since. The countdown counts from the server's time sent with each ``clock`` event, never
from the visitor's clock. Actions (objections, answers, decryption, the record) post to the lot's action door
(``views.lot_action_view``) and come back here.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.db import DatabaseError, connections
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.core.permissions import PUBLIC, requires, roles
from ggzy.pki.login import CHALLENGE_TTL

from . import selectors
from .selectors_hall import hall_audience, hall_signed_in, hall_state
from .services import hall as hall_services

BIDDER = roles(Role.BIDDER)
PARTS = ("clock", "sign_ins", "bids", "objections", "record")


def _lot_for_hall(request, lot_id: int):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404("标段不存在")
    audience = hall_audience(user=request.user, lot=lot)
    if audience is None:
        raise PermissionDenied(_("开标大厅仅对本标段的投标人、招标人及代理机构、交易中心工作人员和监督部门开放；"
                                 "开标记录公布后向公众公开"))
    return lot, audience


@requires(PUBLIC)
def lot_hall_view(request, lot_id: int):
    lot, audience = _lot_for_hall(request, lot_id)
    now = clock.now()
    state = hall_state(user=request.user, lot=lot, now=now)
    signed_in = audience == "bidder" and hall_signed_in(user=request.user, lot=lot)
    context = {"lot": lot, "audience": audience, "hall": state,
               "signed_in": signed_in,
               # the form is on the page from the start, shown once the deadline passes (hall.js) or at load
               "offer_sign_in": audience == "bidder" and not signed_in and state["clock"]["phase"] in ("before", "due", "opening"),
               "can_sign_in": audience == "bidder" and not signed_in and state["clock"]["phase"] in ("due", "opening"),
               "is_staff": audience == "center", "is_owner": audience == "owner",
               "ttl_minutes": int(CHALLENGE_TTL.total_seconds() // 60)}
    return render(request, "tendering/pages/lot_hall.html", context)


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def _event(name: str, data, event_id: str) -> str:
    return f"id: {event_id}\nevent: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def hall_event_stream(*, user, lot, last_event_id: str = "", seconds: float, interval: float = 1.0,
                      sleep: Callable[[float], None] = time.sleep,
                      monotonic: Callable[[], float] = time.monotonic) -> Iterator[str]:
    """The hall's events for ``seconds`` of wall time: each part of the hall state when it changed (the first time,
    every part unless ``last_event_id`` says the client already has this state), a ``clock`` event every 10 s so
    the countdown stays on server time, then ``bye``. The id of every event is the digest of the whole state.

    The bound is measured with the process's monotonic clock on purpose: it limits how long a connection is
    held, which is not platform time (``clock.now()``, which tests freeze, gives every event its time).
    """
    language = translation.get_language()
    yield "retry: 1000\n\n"
    sent: dict[str, str] = {}
    state_id = last_event_id
    started = monotonic()
    last_clock = started
    first = True
    while True:
        try:
            with translation.override(language):  # the stream outlives the middleware that chose the language
                state = hall_state(user=user, lot=lot, now=clock.now())
        except DatabaseError:  # a busy database (e.g. SQLite locked by a writer): skip this poll, try the next
            if monotonic() - started >= seconds:
                break
            sleep(interval)
            continue
        steady_clock = {k: v for k, v in state["clock"].items() if k != "server_now"}
        state_id = _digest({k: v for k, v in state.items() if k != "clock"} | {"clock": steady_clock})
        if first and state_id == last_event_id:
            sent = {part: _digest(state[part]) for part in PARTS if part != "clock"}  # the client has these
        for part in PARTS:
            if part == "clock":
                digest = _digest(steady_clock)
                due = sent.get("clock") != digest or monotonic() - last_clock >= 10
                if due:
                    last_clock = monotonic()
            else:
                digest = _digest(state[part])
                due = sent.get(part) != digest
            if due:
                sent[part] = digest
                yield _event(part, state[part], state_id)
        first = False
        if monotonic() - started >= seconds:
            break
        sleep(interval)
    yield _event("bye", {"reconnect": True}, state_id)


async def _asynchronous(stream: Iterator[str]) -> AsyncIterator[str]:
    """Under ASGI: each event is taken from the synchronous stream in the request's own worker thread (database
    access and the pause between polls stay off the event loop) and sent as soon as it is ready."""
    def take() -> str | None:
        return next(stream, None)

    step = sync_to_async(take, thread_sensitive=True)
    try:
        while True:
            part = await step()
            if part is None:
                return
            yield part
    finally:
        # the stream's database connection was opened in that thread: close it there, not at some later request
        await sync_to_async(connections.close_all, thread_sensitive=True)()


@requires(PUBLIC)
def lot_hall_events_view(request, lot_id: int):
    lot, _audience = _lot_for_hall(request, lot_id)
    seconds = float(getattr(settings, "GGZY_HALL_STREAM_SECONDS", 60))
    interval = float(getattr(settings, "GGZY_HALL_STREAM_INTERVAL", 1.0))
    stream = hall_event_stream(user=request.user, lot=lot, last_event_id=request.headers.get("Last-Event-ID", ""),
                               seconds=seconds, interval=interval)
    # Under ASGI, Django would read a synchronous iterator whole before sending any of it.
    content = _asynchronous(stream) if isinstance(request, ASGIRequest) else stream
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # tell a reverse proxy not to buffer the stream
    return response


@requires(BIDDER)
def lot_hall_challenge_view(request, lot_id: int):
    lot, _audience = _lot_for_hall(request, lot_id)
    try:
        challenge = hall_services.hall_challenge_issue(actor=request.user, session=request.session, lot=lot,
                                                       origin=f"{request.scheme}://{request.get_host()}")
    except DomainError as exc:
        return JsonResponse({"detail": exc.message}, status=403)
    return JsonResponse({"nonce": challenge.nonce, "challenge": challenge.text,
                         "expires_at": challenge.expires_at.isoformat()})


@requires(BIDDER)
@require_POST
def lot_hall_sign_in_view(request, lot_id: int):
    lot, _audience = _lot_for_hall(request, lot_id)
    try:
        hall_services.hall_sign_in(actor=request.user, session=request.session, lot=lot,
                                   certificate_pem=request.POST.get("certificate", ""),
                                   signature=request.POST.get("signature", ""), nonce=request.POST.get("nonce", ""))
    except DomainError as exc:
        messages.error(request, "；".join("；".join(m) for m in exc.errors.values()) or exc.message)
    else:
        messages.success(request, _("签到成功：证书签名已核验"))
    return redirect("tendering:lot_hall", lot_id=lot.pk)


urlpatterns = [
    path("lots/<int:lot_id>/hall/", lot_hall_view, name="lot_hall"),
    path("lots/<int:lot_id>/hall/events/", lot_hall_events_view, name="lot_hall_events"),
    path("lots/<int:lot_id>/hall/challenge/", lot_hall_challenge_view, name="lot_hall_challenge"),
    path("lots/<int:lot_id>/hall/sign-in/", lot_hall_sign_in_view, name="lot_hall_sign_in"),
]
