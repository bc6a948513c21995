"""Pages of the registry: the one-form application (一表申请), the public list and detail, and the edit page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ggzy.accounts.client_address import client_address
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound
from ggzy.core.forms import apply_domain_error
from ggzy.core.money import format_yuan
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires
from ggzy.core.roles import Role

from . import policies, selectors, services, services_review
from .choices import EntityType
from .credit_code import credit_code_normalize
from .display import version_change_lines
from .entity_input import credit_code_clean
from .forms import (
    FORMSET_PREFIXES,
    FORMSETS,
    MAX_ROWS,
    PART_FORMS,
    SUGGESTIONS,
    AccountForm,
    EntityEditForm,
    EntityForm,
    formset_rows,
)
from .masking import Audience, entity_brief, entity_view
from .models import EntityNameChange, MarketEntity
from .views_control import controls_context

PAGE_SIZE = 20
PART_SERVICES: dict[str, tuple[Callable[..., Any], Callable[..., Any], str]] = {
    "bank_accounts": (services.bank_account_add, services.bank_account_remove, "bank_account_id"),
    "qualifications": (services.qualification_add, services.qualification_remove, "qualification_id"),
    "key_persons": (services.key_person_add, services.key_person_remove, "key_person_id"),
}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true" and "HX-History-Restore-Request" not in request.headers


def _entity_or_404(credit_code: str) -> MarketEntity:
    try:
        return selectors.entity_get(credit_code=credit_code)
    except NotFound:
        raise Http404("市场主体不存在") from None


# ---- public list and detail -------------------------------------------------------------------------------

@requires(PUBLIC)
def entity_list_view(request):
    params = {name: request.GET.get(name, "").strip() for name in ("q", "city", "entity_type")}
    qs = selectors.entity_list_visible(user=request.user, **params)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": [entity_brief(e) for e in page.object_list], "params": params,
               "cities": selectors.city_choices(), "entity_types": EntityType.choices,
               "review_queue": [] if _is_htmx(request) else selectors.entity_review_queue(user=request.user),
               "query": "&".join(f"{k}={v}" for k, v in params.items() if v)}
    template = "registry/partials/entity_results.html" if _is_htmx(request) else "registry/pages/entity_list.html"
    return render(request, template, context)


@requires(PUBLIC)
def entity_detail_view(request, credit_code: str):
    try:
        entity, audience = selectors.entity_get_for_user(user=request.user, credit_code=credit_code)
    except NotFound:
        raise Http404("市场主体不存在") from None
    versions = name_changes = None
    if policies.can_view_versions(request.user, entity):
        versions = [(v, version_change_lines(v.changes))
                    for v in selectors.entity_versions_for_user(user=request.user, entity=entity)]
        name_changes = list(selectors.name_changes_for_user(user=request.user, entity=entity)[:10])
    return render(request, "registry/pages/entity_detail.html", {
        "entity": entity_view(entity, audience), "show_private": audience != Audience.PUBLIC,
        "capital": format_yuan(entity.registered_capital) if entity.registered_capital is not None else "—",
        "versions": versions, "can_update": policies.can_update(request.user, entity),
        "is_own": audience == Audience.OWNER, "can_verify": policies.can_verify(request.user, entity),
        "unverified_notice": None if entity.is_verified else selectors.unverified_notice(entity),
        "name_changes": name_changes, "can_review": policies.can_review_name_change(request.user, entity),
        **controls_context(request.user, entity),
        # supervisors open the firm's co-bidding graph (supervision; lots whose opening is published only)
        "network_url": reverse("supervision:firm_network", args=[entity.pk])
        if getattr(request.user, "role", None) == Role.SUPERVISOR else ""})


@requires(AUTHENTICATED)
def entity_mine_view(request):
    entity = selectors.entity_of_user(user=request.user)
    if entity is None:
        return redirect("registry:entity_list")
    return redirect("registry:entity_detail", credit_code=entity.credit_code)


# ---- the one-form application -----------------------------------------------------------------------------

def _apply_forms(data=None) -> dict:
    forms = {"entity": EntityForm(data), "account": AccountForm(data, prefix="account")}
    for prefix in FORMSET_PREFIXES:
        forms[prefix] = FORMSETS[prefix](data, prefix=prefix)
    return forms


def _apply_errors(forms: dict, exc: DomainError, row_indexes: dict[str, list[int]]) -> None:
    """Put each service message beside its field: ``key_persons.0.id_number`` → that row's field."""
    for key, texts in exc.errors.items():
        parts = key.split(".")
        if parts[0] in FORMSET_PREFIXES and len(parts) == 3 and parts[1].isdigit():
            indexes = row_indexes.get(parts[0], [])
            position = int(parts[1])
            form = forms[parts[0]].forms[indexes[position]] if position < len(indexes) else forms["entity"]
            name = parts[2]
        elif parts[0] == "account" and len(parts) == 2:
            form, name = forms["account"], parts[1]
        else:
            form, name = forms["entity"], key
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


@requires(PUBLIC)
def entity_apply_view(request):
    if not policies.can_register(request.user):
        raise PermissionDenied("已登录的市场主体用户不能再注册新主体")
    forms = _apply_forms(request.POST if request.method == "POST" else None)
    if request.method == "POST" and all(f.is_valid() for f in forms.values()):
        data = dict(forms["entity"].cleaned_data)
        data["account"] = forms["account"].cleaned_data
        row_indexes = {}
        for prefix in FORMSET_PREFIXES:
            data[prefix], row_indexes[prefix] = formset_rows(forms[prefix])
        try:
            entity = services.entity_register(actor=request.user, data=data, address=client_address(request))
        except DomainError as exc:
            _apply_errors(forms, exc, row_indexes)
        else:
            link = entity.accounts.select_related("user").first()
            if link is not None and not request.user.is_authenticated:
                login(request, link.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("registry:entity_apply_done", credit_code=entity.credit_code)
    return render(request, "registry/pages/entity_apply.html", {
        **forms, "on_behalf": request.user.is_authenticated, "suggestions": SUGGESTIONS})


@requires(PUBLIC)
def entity_apply_done_view(request, credit_code: str):
    entity = _entity_or_404(credit_code)
    return render(request, "registry/pages/entity_apply_done.html", {
        "entity": entity_brief(entity), "can_update": policies.can_update(request.user, entity),
        "unverified_notice": None if entity.is_verified else selectors.unverified_notice(entity)})


@requires(PUBLIC)
def entity_apply_row_view(request, kind: str):
    """One more empty row of a list (“添加一行”), plus the formset's new total, swapped out of band."""
    if kind not in FORMSETS:
        raise Http404()
    try:
        index = int(request.GET.get(f"{kind}-TOTAL_FORMS", "1"))
    except ValueError:
        index = 1
    if index >= MAX_ROWS:
        return HttpResponse(status=204)
    form = FORMSETS[kind](prefix=kind).empty_form
    form.prefix = f"{kind}-{index}"
    return render(request, "registry/partials/formset_row.html", {
        "form": form, "kind": kind, "row_number": index + 1, "total": index + 1})


@requires(PUBLIC)
def credit_code_check_view(request):
    """Checks the credit code as it is typed (htmx, on blur): format, check character, already registered."""
    errors: dict[str, str] = {}
    code = credit_code_clean(request.GET.get("credit_code", ""), errors)
    if not errors and selectors.credit_code_taken(credit_code=code):
        errors["credit_code"] = "该统一社会信用代码已注册"
    return render(request, "registry/partials/credit_code_check.html", {"code": code, "error": errors.get(
        "credit_code")})


# ---- edit (the entity's own users and its staff) ----------------------------------------------------------

def _editable(request, credit_code: str) -> MarketEntity:
    entity = _entity_or_404(credit_code)
    if not policies.can_update(request.user, entity):
        raise PermissionDenied("无权修改该市场主体的信息")
    return entity


def _edit_initial(entity: MarketEntity) -> dict:
    names = [f for f in EntityEditForm.base_fields if f not in ("credit_code", "region")]
    return {**{name: getattr(entity, name) for name in names}, "region": entity.region.code}


def _edit_page(request, entity: MarketEntity, *, form=None, part_forms=None, status=200):
    may_change_status = policies.can_change_status(request.user, entity)
    form = form or EntityEditForm(initial=_edit_initial(entity), may_change_status=may_change_status)
    part_forms = {kind: cls(prefix=kind) for kind, cls in PART_FORMS.items()} | (part_forms or {})
    _entity, view = selectors.entity_view_for_user(user=request.user, credit_code=entity.credit_code)
    return render(request, "registry/pages/entity_edit.html", {
        "entity": view, "form": form, "part_forms": part_forms, "suggestions": SUGGESTIONS}, status=status)


@requires(AUTHENTICATED)
def entity_edit_view(request, credit_code: str):
    entity = _editable(request, credit_code)
    if request.method != "POST":
        return _edit_page(request, entity)
    form = EntityEditForm(request.POST, may_change_status=policies.can_change_status(request.user, entity))
    if form.is_valid():
        data = dict(form.cleaned_data)
        expected_version = data.pop("version")
        try:
            services.entity_update(actor=request.user, entity=entity, data=data, expected_version=expected_version)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except Conflict as exc:  # the version field is hidden: say it above the form
            form.add_error(None, exc.message)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            pending = selectors.name_change_pending(entity=entity)
            if pending is not None and pending.new_name == data.get("name"):
                messages.info(request, f"主体信息已保存；名称变更为“{pending.new_name}”已提交，交易中心审核通过后生效")
            else:
                messages.success(request, "主体信息已保存")
            return redirect("registry:entity_detail", credit_code=entity.credit_code)
    return _edit_page(request, entity, form=form, status=400)


@requires(AUTHENTICATED)
@require_POST
def entity_part_add_view(request, credit_code: str, kind: str):
    if kind not in PART_SERVICES:
        raise Http404()
    entity = _editable(request, credit_code)
    form = PART_FORMS[kind](request.POST, prefix=kind)
    if form.is_valid():
        add, _remove, _key = PART_SERVICES[kind]
        try:
            add(actor=request.user, entity=entity, data=form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已添加")
            return redirect("registry:entity_edit", credit_code=entity.credit_code)
    return _edit_page(request, entity, part_forms={kind: form}, status=400)


@requires(AUTHENTICATED)
@require_POST
def entity_part_remove_view(request, credit_code: str, kind: str, part_id: int):
    if kind not in PART_SERVICES:
        raise Http404()
    entity = _editable(request, credit_code)
    _add, remove, key = PART_SERVICES[kind]
    try:
        remove(actor=request.user, entity=entity, **{key: part_id})
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已删除")
    return redirect("registry:entity_edit", credit_code=credit_code_normalize(entity.credit_code))


# ---- review by the center: verification (主体核验) and name changes --------------------------------------------

@requires(AUTHENTICATED)
@require_POST
def entity_verify_view(request, credit_code: str):
    entity = _entity_or_404(credit_code)
    try:
        services_review.entity_verify(actor=request.user, entity=entity)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "主体已核验，可以参与交易")
    return redirect("registry:entity_detail", credit_code=entity.credit_code)


@requires(AUTHENTICATED)
@require_POST
def name_change_decide_view(request, credit_code: str, change_id: int, decision: str):
    entity = _entity_or_404(credit_code)
    change = EntityNameChange.objects.filter(entity=entity, pk=change_id).select_related("entity").first()
    if change is None or decision not in ("approve", "refuse"):
        raise Http404("名称变更申请不存在")
    try:
        if decision == "approve":
            services_review.name_change_approve(actor=request.user, change=change)
        else:
            services_review.name_change_refuse(actor=request.user, change=change, reason=request.POST.get("reason", ""))
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "名称变更已通过" if decision == "approve" else "名称变更未通过，已告知理由")
    return redirect("registry:entity_detail", credit_code=entity.credit_code)
