"""Pages of the draw: staff request/run/follow a draw (htmx for the rows), the expert's invitations, the public
recompute data. Names: the expert sees their own at notification, the center sees a name once that expert signed
in, the public once the result is final (``draw_published_document``)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError
from ggzy.core.permissions import PUBLIC, requires, roles

from . import selectors, services
from .models import DrawnExpert, DrawnState, DrawRequest, DrawStatus

STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)
EXPERT = roles(Role.EXPERT)


def _staff_rows(request: DrawRequest) -> list[dict]:
    return [
        {"d": d, "name": selectors.drawn_name_for_center(d)}
        for d in request.drawn.select_related("expert", "request").order_by("order")
    ]


def _parse_needs(text: str) -> list[tuple[str, int]]:
    needs = []
    for part in (text or "").replace("，", ",").replace("：", ":").split(","):
        if not part.strip():
            continue
        code, _, n = part.partition(":")
        try:
            needs.append((code.strip(), int(n)))
        except ValueError:
            raise DomainError("抽取专业及人数格式不正确（专业代码, 人数）", field="needs") from None
    return needs


@requires(STAFF)
def draw_list_view(request):
    error = ""
    if request.method == "POST":
        from django.contrib.auth import get_user_model

        try:
            witness = (
                get_user_model().objects.filter(username=request.POST.get("witness", "").strip()).first()
            )
            try:
                when = timezone.make_aware(dt.datetime.fromisoformat(request.POST.get("scheduled_at", "")))
            except ValueError:
                raise DomainError("评标时间格式不正确", field="scheduled_at") from None
            draw = services.draw_request_create(
                actor=request.user,
                subject_code=request.POST.get("subject_code", ""),
                subject_title=request.POST.get("subject_title", ""),
                tenderer_entity_id=None,
                needs=_parse_needs(request.POST.get("needs", "")),
                scheduled_at=when,
                witness=witness,
            )
        except DomainError as exc:
            error = exc.message
        else:
            return redirect(reverse("experts:draw_detail", args=[draw.pk]))
    draws = selectors.draws_visible(request.user)[:50]
    return render(
        request,
        "experts/pages/draw_list.html",
        {"draws": draws, "error": error},
        status=400 if error else 200,
    )


@requires(STAFF)
def draw_detail_view(request, draw_id: int):
    draw = selectors.draw_get_for(request.user, draw_id)
    if draw is None:
        raise Http404("抽取不存在")
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "run":
                services.draw_run(actor=request.user, request=draw)
            elif request.POST.get("action") == "sign_in":
                drawn = DrawnExpert.objects.filter(pk=request.POST.get("drawn"), request=draw).first()
                if drawn is None:
                    raise DomainError("抽中专家不存在", field="drawn")
                services.draw_sign_in(
                    actor=request.user, drawn=drawn, id_number=request.POST.get("id_number", "")
                )
        except DomainError as exc:
            error = exc.message
        draw.refresh_from_db()
    ctx = {
        "draw": draw,
        "rows": _staff_rows(draw),
        "error": error,
        "beacon": services.draw_beacon(draw),
        "complete": selectors.draw_is_complete(draw),
    }
    template = (
        "experts/partials/draw_rows.html"
        if request.headers.get("HX-Request")
        else "experts/pages/draw_detail.html"
    )
    return render(request, template, ctx, status=400 if error else 200)


@requires(EXPERT)
def invitations_view(request):
    from .selectors import expert_for_user

    expert = expert_for_user(request.user)
    invitations = selectors.draw_invitations_for_expert(expert) if expert else []
    return render(
        request,
        "experts/pages/invitations.html",
        {"expert": expert, "invitations": invitations, "notified": DrawnState.NOTIFIED},
    )


@requires(EXPERT)
@require_POST
def invitation_answer_view(request, drawn_id: int):
    drawn = DrawnExpert.objects.filter(pk=drawn_id, expert__user=request.user).first()
    if drawn is None:
        raise Http404("抽取通知不存在")
    try:
        services.draw_answer(actor=request.user, drawn=drawn, accept=request.POST.get("accept") == "1")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("experts:invitations"))


@requires(PUBLIC)
def draw_published_view(request, draw_id: int):
    draw = DrawRequest.objects.filter(pk=draw_id).first()
    doc = selectors.draw_published_document(draw) if draw else None
    if doc is None:
        raise Http404("抽取结果尚未公开")
    return JsonResponse(doc, json_dumps_params={"ensure_ascii": False, "indent": 1})


@requires(PUBLIC)
def draw_public_view(request, draw_id: int):
    draw = DrawRequest.objects.filter(pk=draw_id, status__in=(DrawStatus.PUBLISHED, DrawStatus.FAILED)).first()
    doc = selectors.draw_published_document(draw) if draw else None
    if doc is None:
        raise Http404("抽取结果尚未公开")
    return render(
        request,
        "experts/pages/draw_public.html",
        {
            "draw": draw,
            "doc": doc,
            "result": [(r, doc["names"].get(r["id"], "")) for r in doc["result"]],
            # each released slot in order: a recusal at sign-in, or a refusal / no answer in time
            "released": [(pid, pid in doc.get("recusals", [])) for pid in doc["refusals"]],
        },
    )
