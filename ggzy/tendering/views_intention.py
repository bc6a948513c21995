"""采购意向公开 page of a GP project: the published intention for everyone who may see the project; the form to
publish it for the purchaser or its agency. Writes go through ``services.intention``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from ggzy.core.errors import DomainError
from ggzy.core.permissions import PUBLIC, requires

from . import policies, rules, selectors
from .models import ProcurementIntention
from .services import intention as intentions


@requires(PUBLIC)
def intention_view(request, project_id: int):
    project = selectors.project_get_visible(user=request.user, project_id=project_id)
    published = ProcurementIntention.objects.filter(project_id=project_id).select_related("project").first()
    if project is None and published is not None:
        project = published.project  # a published intention is public (it is on the portal)
    if project is None or not intentions.intention_applies(project):
        raise Http404("项目不存在")
    is_owner = policies.is_project_owner(request.user, project)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not is_owner:
            raise Http404("项目不存在")
        try:
            intentions.intention_publish(actor=request.user, project=project,
                                         requirements=request.POST.get("requirements", ""),
                                         planned_on=request.POST.get("planned_on", ""))
        except DomainError as exc:
            errors = exc.errors
            messages.error(request, "；".join("；".join(m) for m in exc.errors.values()) or exc.message)
        else:
            messages.success(request, _("采购意向已公开"))
            return redirect(reverse("tendering:project_intention", args=[project.pk]))
    intention = ProcurementIntention.objects.filter(project=project).first()
    return render(request, "tendering/pages/project_intention.html", {
        "project": project, "intention": intention, "is_owner": is_owner, "errors": errors,
        "period": rules.describe(project, intentions.KEY), "form": request.POST if errors else {},
    })


urlpatterns = [
    path("projects/<int:project_id>/intention/", intention_view, name="project_intention"),
]
