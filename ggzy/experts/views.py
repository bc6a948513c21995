"""Pages of the expert pool: pool health (staff, supervisors), imports with their report and progress, conflicts,
change requests and an expert's record (staff), and the expert's own page. Nothing here is public: ID numbers are
shown masked to staff only, phones to staff and the expert only."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ggzy.core.errors import DomainError
from ggzy.core.permissions import requires, roles
from ggzy.core.roles import Role

from . import selectors, services
from .identity import id_number_mask
from .models import ChangeRequestStatus, ExpertChangeRequest, PenaltyKind, PoolConflict, TitleLevel
from .services.import_rows import FIELD_LABELS
from .services.performance import MARK_LABELS, MARKS

STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)
STAFF_AND_SUPERVISORS = roles(Role.CENTER_STAFF, Role.ADMIN, Role.SUPERVISOR)
EXPERT = roles(Role.EXPERT)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@requires(STAFF_AND_SUPERVISORS)
def health_view(request):
    return render(request, "experts/pages/health.html", {"health": selectors.pool_health()})


@requires(STAFF)
def imports_view(request):
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            pool_import = services.pool_import_create(
                actor=request.user,
                source=request.POST.get("source", ""),
                file_name=upload.name if upload else "",
                content=upload.read() if upload else b"",
            )
        except DomainError as exc:
            errors = exc.errors
        else:
            return redirect("experts:import_detail", import_id=pool_import.pk)
    return render(
        request,
        "experts/pages/imports.html",
        {
            "imports": selectors.pool_imports()[:50],
            "errors": errors,
            "source": request.POST.get("source", ""),
        },
    )


@requires(STAFF)
def import_detail_view(request, import_id: int):
    pool_import = selectors.pool_import_get(import_id)
    if pool_import is None:
        raise Http404("导入记录不存在")
    total = pool_import.total_rows or 0
    context = {
        "imp": pool_import,
        "pct": round(100 * pool_import.processed_rows / total) if total else 0,
        "finished": pool_import.status in ("done", "failed"),
    }
    if _is_htmx(request):
        return render(request, "experts/partials/import_progress.html", context)
    context["issues"] = pool_import.issues.all()
    context["conflicts"] = pool_import.conflicts.select_related("expert").order_by("row_number", "id")
    context["field_labels"] = FIELD_LABELS
    return render(request, "experts/pages/import_detail.html", context)


@requires(STAFF)
def conflicts_view(request):
    return render(
        request,
        "experts/pages/conflicts.html",
        {"conflicts": selectors.conflicts_open()[:200], "field_labels": FIELD_LABELS},
    )


@requires(STAFF)
@require_POST
def conflict_resolve_view(request, conflict_id: int):
    conflict = PoolConflict.objects.filter(pk=conflict_id).first()
    if conflict is None:
        raise Http404("冲突记录不存在")
    try:
        services.pool_conflict_resolve(
            actor=request.user, conflict=conflict, take_incoming=request.POST.get("take") == "incoming"
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已处理")
    return redirect(
        request.POST.get("next")
        if request.POST.get("next", "").startswith("/experts/")
        else "experts:conflicts"
    )


@requires(STAFF)
def changes_view(request):
    return render(
        request,
        "experts/pages/changes.html",
        {"requests": selectors.change_requests_pending()[:200], "field_labels": FIELD_LABELS},
    )


@requires(STAFF)
@require_POST
def change_decide_view(request, request_id: int):
    change = ExpertChangeRequest.objects.filter(pk=request_id, status=ChangeRequestStatus.PENDING).first()
    if change is None:
        raise Http404("变更申请不存在")
    try:
        services.change_request_decide(
            actor=request.user,
            request=change,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已审核")
    return redirect("experts:changes")


@requires(STAFF)
def expert_view(request, expert_id: int):
    expert = selectors.expert_get(expert_id)
    if expert is None:
        raise Http404("专家不存在")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "penalty":
                until = request.POST.get("until") or None
                services.expert_penalty_record(
                    actor=request.user,
                    expert=expert,
                    kind=request.POST.get("kind", ""),
                    reason=request.POST.get("reason", ""),
                    decided_on=_date(request.POST.get("decided_on"), "decided_on"),
                    until=_date(until, "until") if until else None,
                )
            else:
                services.expert_rate(
                    actor=request.user,
                    expert=expert,
                    subject_code=request.POST.get("subject_code", ""),
                    marks={k: request.POST.get(k) for k in MARKS},
                    comment=request.POST.get("comment", ""),
                )
        except DomainError as exc:
            errors = exc.errors
        else:
            messages.success(request, "已保存")
            return redirect("experts:expert", expert_id=expert.pk)
    return render(
        request,
        "experts/pages/expert.html",
        {
            "expert": expert,
            "masked_id": id_number_mask(expert.id_number),
            "performance": selectors.expert_performance(expert),
            "ratings": selectors.expert_ratings(expert)[:50],
            "penalties": expert.penalties.all(),
            "penalised": selectors.expert_is_penalised(expert),
            "classifications": expert.classifications.select_related("classification"),
            "marks": [(k, MARK_LABELS[k]) for k in MARKS],
            "kinds": PenaltyKind.choices,
            "errors": errors,
        },
    )


def _date(value, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        raise DomainError("日期格式应为 YYYY-MM-DD", field=field) from None


@requires(EXPERT)
def me_view(request):
    expert = selectors.expert_for_user(request.user)
    if expert is None:
        return render(request, "experts/pages/me_missing.html")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = {
            "phone": request.POST.get("phone", ""),
            "available": request.POST.get("available") == "on",
            "unavailable_until": request.POST.get("unavailable_until", ""),
        }
        for key in ("employer_name", "title", "title_level"):
            if request.POST.get(key):
                data[key] = request.POST[key]
        try:
            change = services.expert_profile_update(actor=request.user, expert=expert, data=data)
        except DomainError as exc:
            errors = exc.errors
        else:
            messages.success(request, "已保存；工作单位或职称的变更已提交审核" if change else "已保存")
            return redirect("experts:me")
    return render(
        request,
        "experts/pages/me.html",
        {
            "expert": expert,
            "masked_id": id_number_mask(expert.id_number),
            "errors": errors,
            "performance": selectors.expert_performance(expert),
            "changes": selectors.expert_change_requests(expert)[:10],
            "title_levels": TitleLevel.choices,
            "field_labels": FIELD_LABELS,
            "classifications": expert.classifications.select_related("classification"),
        },
    )
