"""服务评价 — the parties of a lot rate its trading center and its agency after the result is final."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from ggzy.centers import services_ratings as rating_services
from ggzy.core.errors import DomainError
from ggzy.core.permissions import AUTHENTICATED, requires

from . import service_ratings
from .models import Lot


@requires(AUTHENTICATED)
def lot_service_rating_view(request, lot_id: int):
    lot = Lot.objects.select_related("project__center", "project__agency").filter(pk=lot_id).first()
    party = service_ratings.lot_rating_party(request.user, lot) if lot is not None else None
    if lot is None or party is None:
        raise Http404(_("标段不存在或当前不能评价"))
    entity, kind = party
    errors: dict[str, str] = {}
    failed_subject = ""
    if request.method == "POST":
        failed_subject = request.POST.get("subject", "")
        try:
            service_ratings.lot_service_rate(actor=request.user, lot=lot, subject=failed_subject,
                                             data=dict(request.POST.items()))
        except DomainError as exc:
            errors = {("general" if k == "__all__" else k): v[0] for k, v in exc.errors.items()}
        else:
            messages.success(request, _("评价已保存"))
            return redirect("tendering:lot_service_rating", lot_id=lot.pk)
    given = service_ratings.lot_ratings_given(lot=lot, entity=entity)
    subjects = [{"key": key, "obj": obj, "done": key in given,
                 "errors": errors if key == failed_subject else {}}
                for key, obj in service_ratings.lot_rating_subjects(lot)]
    return render(request, "tendering/pages/lot_service_rating.html", {
        "lot": lot, "kind": kind, "subjects": subjects, "criteria": rating_services.CRITERIA, "scale": range(1, 6),
        "errors": errors}, status=400 if errors else 200)


urlpatterns = [
    path("lots/<int:lot_id>/service-rating/", lot_service_rating_view, name="lot_service_rating"),
]
