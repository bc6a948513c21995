"""Pages of the rights app: the list of listings and the live bidding hall (竞价大厅) with its event stream.

The hall renders once; ``static/rights/hall.js`` keeps it live from the server-sent events (a bounded stream that
reads committed rows only). A committed change in any web process wakes the stream at once through the fan-out
(``ggzy.core.fanout``: PostgreSQL LISTEN/NOTIFY, Redis pub/sub, or in-process when embedded; ADR 0019); a slow
poll (``GGZY_HALL_STREAM_INTERVAL``, 5 s) stays as the safety net and resends the clock. The countdown counts
from the server's time in each event. A bid posts the sequence the bidder saw and an idempotency key made when
the form was drawn; htmx swaps in the answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.core.handlers.asgi import ASGIRequest
from django.db import DatabaseError, connections
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from ggzy.accounts.roles import Role
from ggzy.core import clock, fanout, statements
from ggzy.core.errors import DomainError
from ggzy.core.forms import apply_domain_error
from ggzy.core.permissions import PUBLIC, requires, roles

from . import selectors
from .choices import ListingState
from .forms import ListingPublishForm
from .models import RightsDepositImport
from .services import (
    bidding,
    contract,
    deposits,
    listings,
    postqualification,
    quotes,
    registration,
    results,
    suspension,
)
from .services.common import hall_topic

app_name = "rights"
BIDDER = roles(Role.BIDDER)
PARTS = ("clock", "price", "me", "history", "result")
DEGRADED_INTERVAL = 1.0  # the poll while the fan-out's listener is not connected
MIN_WAIT = 0.25  # never spin, even with a frozen clock just before a deadline


def _listing(listing_id: int):
    listing = selectors.listing_get(listing_id)
    if listing is None:
        raise Http404("挂牌项目不存在")
    return listing


@requires(PUBLIC)
def listing_list_view(request):
    rows = [(listing, selectors.kind_label(listing))
            for listing in selectors.listing_list_for(user=request.user, now=clock.now())[:200]]
    can_publish = request.user.is_authenticated and request.user.role == Role.CENTER_STAFF  # admin: ?center=
    return render(request, "rights/pages/listing_list.html", {"rows": rows, "can_publish": can_publish})


def _hall_context(request, listing, answer=None, error: str = "") -> dict:
    state = selectors.hall_state(user=request.user, listing=listing, now=clock.now())
    me = selectors.registration_of(user=request.user, listing=listing)
    return {"listing": listing, "hall": state, "kind_label": selectors.kind_label(listing), "registration": me,
            "mode": selectors.mode_of(listing),
            "factors": selectors.weighting_factors(listing), "my_quote": selectors.my_quote(user=request.user,
                                                                                          listing=listing),
            "staff_rows": selectors.registrations_for_staff(user=request.user, listing=listing),
            "suspension": selectors.suspension_for_staff(user=request.user, listing=listing, now=clock.now()),
            "idempotency_key": uuid.uuid4().hex, "answer": answer, "error": error,
            "results": selectors.results_for(user=request.user, listing=listing),
            "contract_rows": range(CONTRACT_ROWS),
            "can_register": (request.user.is_authenticated and request.user.role == Role.BIDDER and me is None
                             and state["clock"]["phase"] in (ListingState.REGISTRATION, ListingState.LISTING)
                             and clock.now() < listing.registration_closes_at)}


@requires(PUBLIC)
def listing_hall_view(request, listing_id: int):
    listing = _listing(listing_id)
    if not selectors.listing_visible(user=request.user, listing=listing, now=clock.now()):
        raise Http404("挂牌项目不存在")  # not yet announced: only its center and grantor see it
    return render(request, "rights/pages/hall.html", _hall_context(request, listing))


@requires(BIDDER)
@require_POST
def listing_bid_view(request, listing_id: int):
    listing = _listing(listing_id)
    answer, error = None, ""
    try:
        answer = bidding.bid_place(actor=request.user, listing_id=listing.pk, amount=request.POST.get("amount", ""),
                                   seen_sequence=request.POST.get("seen_sequence", ""),
                                   idempotency_key=request.POST.get("idempotency_key", ""))
    except DomainError as exc:
        error = "；".join("；".join(m) for m in exc.errors.values()) or exc.message
    listing.refresh_from_db()
    context = _hall_context(request, listing, answer=answer, error=error)
    if request.headers.get("HX-Request"):
        return render(request, "rights/partials/bid_form.html", context)
    return render(request, "rights/pages/hall.html", context)


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
def listing_publish_view(request):
    """The center publishes a listing (every kind; a weighted quote with its factors)."""
    try:
        center = deposits.staff_center(request.user, request.GET.get("center", ""))
    except DomainError as exc:
        raise Http404(exc.message) from None
    form = ListingPublishForm(request.POST or None, initial=selectors.listing_new_defaults(now=clock.now()))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if not name.startswith("factors.")}
        factors = form.factor_rows()
        try:
            listing = listings.listing_create(actor=request.user, center=center, factors=factors or None,
                                              **(data | {"price_weight": data["price_weight"] or None}))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "挂牌项目已发布")
            return redirect("rights:hall", listing_id=listing.pk)
    return render(request, "rights/pages/listing_publish.html", {"form": form, "center": center},
                  status=400 if request.method == "POST" else 200)  # a POST that gets here was refused


@requires(BIDDER)
@require_POST
def listing_quote_view(request, listing_id: int):
    """The bidder's one sealed quote (一次报价, 权重报价): the price and, in a weighted quote, a field per factor
    (``factor_<position>``); the refusal names every field, nothing is stored."""
    values = {key.removeprefix("factor_"): value for key, value in request.POST.items() if key.startswith("factor_")}
    return _act_and_return(request, listing_id, lambda: quotes.quote_submit(
        actor=request.user, listing_id=listing_id, amount=request.POST.get("amount", ""), factors=values),
        "已提交密封报价，报价期结束后开启")


@requires(BIDDER)
@require_POST
def listing_register_view(request, listing_id: int):
    return _act_and_return(request, listing_id, lambda: registration.registration_apply(
        actor=request.user, listing_id=listing_id))


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
@require_POST
def registration_deposit_view(request, listing_id: int, registration_id: int):
    """The center records a deposit from the bank's credit advice (statement import: the deposits page)."""
    return _act_and_return(request, listing_id, lambda: registration.registration_deposit_record(
        actor=request.user, registration_id=_registration_of(listing_id, registration_id),
        amount=request.POST.get("amount", ""), reference=request.POST.get("reference", "")), "已登记保证金到账")


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
@require_POST
def registration_qualify_view(request, listing_id: int, registration_id: int):
    """The center's qualification decision (资格审查): approve, or refuse with the reason."""
    approve = request.POST.get("decision") == "approve"
    return _act_and_return(request, listing_id, lambda: registration.registration_qualify(
        actor=request.user, registration_id=_registration_of(listing_id, registration_id), approve=approve,
        reason=request.POST.get("reason", "")), "资格审查已通过" if approve else "已记录资格审查不通过")


def _registration_of(listing_id: int, registration_id: int) -> int:
    """The registration's id when it belongs to the listing in the address (else a clear refusal)."""
    if not selectors.registration_in_listing(listing_id=listing_id, registration_id=registration_id):
        raise DomainError("竞买申请不存在", field="registration")
    return registration_id


@requires(roles(Role.BIDDER, Role.TENDERER))
@require_POST
def listing_confirm_view(request, listing_id: int):
    """The winner or the grantor confirms the deal (成交确认书)."""
    return _act_and_return(request, listing_id, lambda: results.confirmation_confirm(
        actor=request.user, listing_id=listing_id), "已确认成交确认书")


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
@require_POST
def settlement_record_view(request, listing_id: int, settlement_id: int):
    """The center records a deposit's refund (or its turning into payment) with the bank reference."""
    return _act_and_return(request, listing_id, lambda: results.settlement_record(
        actor=request.user, settlement_id=settlement_id, reference=request.POST.get("reference", "")),
        "已记录保证金办理")


CONTRACT_ROWS = 6


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
@require_POST
def winner_qualification_view(request, listing_id: int):
    """资格后审: the center decides the winner's qualification after winning (a refusal voids the sale)."""
    decision = request.POST.get("decision", "")
    approve: object = {"approve": True, "refuse": False}.get(decision)
    return _act_and_return(request, listing_id, lambda: postqualification.winner_qualification_decide(
        actor=request.user, listing_id=listing_id, approve=approve, reason=request.POST.get("reason", "")),
        lambda review: gettext("竞得人资格审查通过，可确认成交确认书") if review.is_approved
        else gettext("竞得人资格审查未通过：竞得无效，竞得无效公告已发布"))


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
@require_POST
def listing_suspend_view(request, listing_id: int):
    """The center suspends bidding (中止) with the announced reason."""
    return _act_and_return(request, listing_id, lambda: suspension.listing_suspend(
        actor=request.user, listing_id=listing_id, reason=request.POST.get("reason", "")), "已中止竞价，中止公告已发布")


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
@require_POST
def listing_resumption_view(request, listing_id: int):
    """The center announces the resumption time (恢复交易公告); the listing resumes when it comes."""
    def announced(notice) -> str:
        if notice.resumed_at is not None:
            return "恢复交易公告已发布，已恢复交易"
        return f"恢复交易公告已发布，{timezone.localtime(notice.resume_at):%Y-%m-%d %H:%M} 恢复交易"

    return _act_and_return(request, listing_id, lambda: suspension.listing_resumption_announce(
        actor=request.user, listing_id=listing_id, resume_at=request.POST.get("resume_at", "").strip()), announced)


def _errors_text(exc: DomainError) -> str:
    return "；".join("；".join(m) for m in exc.errors.values()) or exc.message


def _act_and_return(request, listing_id: int, act: Callable[[], object],
                    success: str | Callable[[Any], str] = ""):
    """Run a service for the hall's form, show its refusal (every field's reason) or ``success`` (a text, or made
    from what the service returned), and go back to the hall."""
    listing = _listing(listing_id)
    try:
        done = act()
    except DomainError as exc:
        messages.error(request, _errors_text(exc))
    else:
        text = success(done) if callable(success) else success
        if text:
            messages.success(request, text)
    return redirect("rights:hall", listing_id=listing.pk)


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
@require_POST
def contract_record_view(request, listing_id: int):
    """The center records the signed contract and the schedule of the balance (blank rows are left out)."""
    rows = [{"due_on": request.POST.get(f"due_on_{n}", "").strip(), "amount": request.POST.get(f"amount_{n}", "")
             .strip()} for n in range(CONTRACT_ROWS)]
    return _act_and_return(request, listing_id, lambda: contract.contract_record(
        actor=request.user, listing_id=listing_id, number=request.POST.get("number", ""),
        signed_on=request.POST.get("signed_on", ""), instalments=[row for row in rows if row["due_on"] or row["amount"]]),
        "已登记成交合同和价款支付计划")


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
@require_POST
def instalment_pay_view(request, listing_id: int, instalment_id: int):
    return _act_and_return(request, listing_id, lambda: contract.instalment_pay(
        actor=request.user, instalment_id=instalment_id, reference=request.POST.get("reference", "")), "已登记价款到账")


@requires(roles(Role.CENTER_STAFF, Role.ADMIN))
def deposits_view(request):
    """The center's deposit account: import its bank statement, return what admits nobody."""
    try:
        center = deposits.staff_center(request.user, request.GET.get("center", ""))
    except DomainError as exc:
        raise Http404(exc.message) from None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "return":
                deposits.arrival_return(actor=request.user, arrival_id=int(request.POST.get("arrival") or 0),
                                        reference=request.POST.get("reference", ""))
                messages.success(request, "已记录退回")
            else:
                upload = request.FILES.get("file")
                if upload is None:
                    raise DomainError("请选择对账单文件", field="file")
                done = deposits.deposit_statement_import(
                    actor=request.user, center=center, data=upload.read(statements.MAX_IMPORT_BYTES + 1),
                    file_name=upload.name or "")
                messages.success(request, f"已导入：{done.rows} 行，匹配子账号 {done.matched} 笔，"
                                          f"未匹配（待退回）{done.unmatched} 笔，重复流水 {done.duplicates} 笔")
        except DomainError as exc:
            messages.error(request, _errors_text(exc))
        except ValueError:
            messages.error(request, "到账记录无效")
        return redirect(f"{request.path}?center={center.code}")
    return render(request, "rights/pages/deposits.html", {
        "center": center, "imports": RightsDepositImport.objects.filter(center=center)[:20],
        "to_return": deposits.arrivals_to_return(user=request.user, center=center),
        "columns": "，".join(statements.STATEMENT_COLUMNS)})


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def _wait_budget(state: dict, interval: float, live: bool) -> float:
    """How long the stream may wait for a wake-up: the safety-net interval (one second while the fan-out is not
    live), and never past the running period's deadline, so a round that ends is closed and shown at once."""
    budget = interval if live else min(interval, DEGRADED_INTERVAL)
    deadline = state["clock"].get("deadline") or ""
    if deadline:  # passed already (while we sent): look again soon
        until = (dt.datetime.fromisoformat(deadline) - clock.now()).total_seconds()
        budget = min(budget, max(until + 0.05, MIN_WAIT))
    return budget


class _OpenStreams:
    """How many hall streams this process is serving now (a test waits for its live server's to end before the
    database is emptied: a stream still reading while the tables are truncated can deadlock with it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.count += n


OPEN_STREAMS = _OpenStreams()


def hall_event_stream(*, user, listing_id: int, last_event_id: str = "", seconds: float, interval: float = 5.0,
                      sleep: Callable[[float], None] | None = None,
                      monotonic: Callable[[], float] = time.monotonic) -> Iterator[str]:
    OPEN_STREAMS.add(1)
    try:
        yield from _hall_events(user=user, listing_id=listing_id, last_event_id=last_event_id, seconds=seconds,
                                interval=interval, sleep=sleep, monotonic=monotonic)
    finally:
        OPEN_STREAMS.add(-1)


def _hall_events(*, user, listing_id: int, last_event_id: str, seconds: float, interval: float,
                 sleep: Callable[[float], None] | None, monotonic: Callable[[], float]) -> Iterator[str]:
    """The hall's parts whenever they change, for ``seconds`` of wall time, then ``bye`` (the browser reconnects
    with Last-Event-ID and catches up). A listing whose deadline passed is advanced (closed) under its lock first,
    so watchers see the result without waiting for the scheduler.

    Between reads the stream waits for the listing's fan-out wake-up (``hall_changed``, after a commit in any web
    process) for at most ``interval`` seconds — the safety-net poll, which also resends the clock — and never past
    the period's deadline. ``sleep``, when given, replaces that wait (tests that drive time by hand)."""
    language = translation.get_language()
    topic = hall_topic(listing_id)
    yield "retry: 1000\n\n"
    sent: dict[str, str] = {}
    started = monotonic()
    last_clock = started
    first = True
    seen = 0

    def pause(budget: float) -> None:
        nonlocal seen
        budget = max(0.0, min(budget, seconds - (monotonic() - started)))
        if sleep is not None:
            sleep(budget)
        elif budget > 0:
            seen = fanout.wait(topic, seen, budget)

    while True:
        if sleep is None:
            seen = fanout.version(topic)  # before the read: a change committed after it wakes the wait at once
        try:
            with translation.override(language):
                listing = selectors.listing_get(listing_id)
                if listing is None:
                    break
                state = selectors.hall_state(user=user, listing=listing, now=clock.now())
                if state["clock"]["phase"] != listing.state:
                    listings.listing_advance(listing_id=listing_id)
                    listing = selectors.listing_get(listing_id)
                    if listing is None:
                        break
                    state = selectors.hall_state(user=user, listing=listing, now=clock.now())
        except DatabaseError:  # a busy database: skip this poll
            if monotonic() - started >= seconds:
                break
            pause(min(interval, DEGRADED_INTERVAL))
            continue
        state_id = _digest({k: v for k, v in state.items() if k != "clock"})
        if first and state_id == last_event_id:  # a reconnecting client already has all but the clock
            sent = {part: _digest(state[part]) for part in PARTS if part != "clock"}
        first = False
        for part in PARTS:
            steady = {k: v for k, v in state[part].items() if k != "server_now"} if part == "clock" else state[part]
            digest = _digest(steady)
            due = sent.get(part) != digest or (part == "clock" and monotonic() - last_clock >= 10)
            if due:
                if part == "clock":
                    last_clock = monotonic()
                sent[part] = digest
                yield f"id: {state_id}\nevent: {part}\ndata: {json.dumps(state[part], ensure_ascii=False)}\n\n"
        if monotonic() - started >= seconds:
            break
        pause(_wait_budget(state, interval, sleep is not None or fanout.live()))
    yield 'event: bye\ndata: {"reconnect": true}\n\n'


async def _asynchronous(stream: Iterator[str]) -> AsyncIterator[str]:
    """Under ASGI: each event is taken from the synchronous stream in the request's worker thread."""
    def take() -> str | None:
        return next(stream, None)

    step = sync_to_async(take, thread_sensitive=True)
    try:
        while (part := await step()) is not None:
            yield part
    finally:
        await sync_to_async(connections.close_all, thread_sensitive=True)()


@requires(PUBLIC)
def listing_events_view(request, listing_id: int):
    listing = _listing(listing_id)
    if not selectors.listing_visible(user=request.user, listing=listing, now=clock.now()):
        raise Http404("挂牌项目不存在")
    stream = hall_event_stream(user=request.user, listing_id=listing.pk,
                               last_event_id=request.headers.get("Last-Event-ID", ""),
                               seconds=float(getattr(settings, "GGZY_HALL_STREAM_SECONDS", 60)),
                               interval=float(getattr(settings, "GGZY_HALL_STREAM_INTERVAL", 5.0)))
    content = _asynchronous(stream) if isinstance(request, ASGIRequest) else stream
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


urlpatterns = [
    path("", listing_list_view, name="listings"),
    path("new/", listing_publish_view, name="publish"),
    path("<int:listing_id>/", listing_hall_view, name="hall"),
    path("<int:listing_id>/events/", listing_events_view, name="hall_events"),
    path("<int:listing_id>/bid/", listing_bid_view, name="bid"),
    path("<int:listing_id>/register/", listing_register_view, name="register"),
    path("<int:listing_id>/quote/", listing_quote_view, name="quote"),
    path("<int:listing_id>/confirm/", listing_confirm_view, name="confirm"),
    path("<int:listing_id>/registrations/<int:registration_id>/deposit/", registration_deposit_view,
         name="registration_deposit"),
    path("<int:listing_id>/registrations/<int:registration_id>/qualification/", registration_qualify_view,
         name="registration_qualify"),
    path("<int:listing_id>/settlements/<int:settlement_id>/", settlement_record_view, name="settlement"),
    path("<int:listing_id>/contract/", contract_record_view, name="contract"),
    path("<int:listing_id>/winner-qualification/", winner_qualification_view, name="winner_qualification"),
    path("<int:listing_id>/suspend/", listing_suspend_view, name="suspend"),
    path("<int:listing_id>/resumption/", listing_resumption_view, name="resumption"),
    path("deposits/", deposits_view, name="deposits"),
    path("<int:listing_id>/instalments/<int:instalment_id>/", instalment_pay_view, name="instalment"),
]
