"""Pages of the pool added for issue 13 (branch poolpages): add one expert by hand (staff) and the expert's declared
relatives (the expert on /experts/me/relatives/, staff on the expert's record)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from ggzy.core.errors import DomainError
from ggzy.core.permissions import requires, roles
from ggzy.core.roles import Role

from . import selectors, services
from .identity import id_number_mask
from .models import ExpertRelative, TitleLevel

STAFF = roles(Role.CENTER_STAFF, Role.ADMIN)
EXPERT = roles(Role.EXPERT)


@requires(STAFF)
def expert_add_view(request):
    errors: dict[str, list[str]] = {}
    form = {key: request.POST.get(key, "") for key in services.manual.FORM_FIELDS}
    chosen = request.POST.getlist("classifications")
    if request.method == "POST":
        try:
            expert = services.expert_add(actor=request.user, data=form, classifications=chosen)
        except DomainError as exc:
            errors = exc.errors
        else:
            messages.success(request, "专家已登记")
            return redirect("experts:expert", expert_id=expert.pk)
    return render(request, "experts/pages/expert_add.html", {
        "form": form, "chosen": chosen, "errors": errors, "title_levels": TitleLevel.choices,
        "classifications": [(code, name, "　" * max(level - 1, 0)) for code, name, level in
                            selectors.classifications_for_choice()],
        "regions": selectors.regions_for_choice(),
    }, status=400 if errors else 200)


def _relatives_page(request, expert, back: str):
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                relative = ExpertRelative.objects.filter(expert=expert, pk=request.POST.get("relative") or 0).first()
                if relative is None:
                    raise Http404("近亲属记录不存在")
                services.relative_remove(actor=request.user, relative=relative)
            else:
                services.relative_declare(
                    actor=request.user, expert=expert, name=request.POST.get("name", ""),
                    relation=request.POST.get("relation", ""), credit_code=request.POST.get("credit_code", ""),
                    employer_name=request.POST.get("employer_name", ""), id_number=request.POST.get("id_number", ""))
        except DomainError as exc:
            errors = exc.errors
        else:
            messages.success(request, "已保存")
            return redirect(back)
    relatives = [{"r": r, "masked_id": id_number_mask(r.id_number) if r.id_number else ""}
                 for r in expert.relatives.select_related("entity")]
    return render(request, "experts/pages/relatives.html", {
        "expert": expert, "relatives": relatives, "relations": services.RELATIONS, "errors": errors,
        "form": request.POST if errors else {}, "back": back,
    }, status=400 if errors else 200)


@requires(EXPERT)
def my_relatives_view(request):
    expert = selectors.expert_for_user(request.user)
    if expert is None:
        raise Http404("您的账号尚未关联专家库记录")
    return _relatives_page(request, expert, "/experts/me/relatives/")


@requires(STAFF)
def expert_relatives_view(request, expert_id: int):
    expert = selectors.expert_get(expert_id)
    if expert is None:
        raise Http404("专家不存在")
    return _relatives_page(request, expert, f"/experts/pool/{expert.pk}/relatives/")


urlpatterns = [
    path("pool/new/", expert_add_view, name="expert_add"),
    path("pool/<int:expert_id>/relatives/", expert_relatives_view, name="expert_relatives"),
    path("me/relatives/", my_relatives_view, name="my_relatives"),
]
