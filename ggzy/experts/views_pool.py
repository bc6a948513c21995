"""Pages of the pool added for issue 13 (branch poolpages): add one expert by hand (staff) and the expert's declared
relatives (the expert on /experts/me/relatives/, staff on the expert's record)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path

from ggzy.core.errors import DomainError
from ggzy.core.permissions import requires, roles
from ggzy.core.roles import Role

from . import selectors, services
from .models import TitleLevel

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


urlpatterns = [
    path("pool/new/", expert_add_view, name="expert_add"),
]
