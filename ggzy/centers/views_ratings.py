"""Pages of the ratings of centers and agencies: the supervisors' averages and chart, and the public third-party
form (no captcha: limited per client address)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ggzy.accounts.client_address import client_address
from ggzy.accounts.roles import Role
from ggzy.core.errors import DomainError
from ggzy.core.permissions import PUBLIC, requires, roles
from ggzy.registry.models import Center

from . import selectors_ratings, services_ratings
from .models import RatingSubject

SUPERVISORS = roles(Role.SUPERVISOR, Role.ADMIN)


@requires(SUPERVISORS)
def ratings_summary_view(request):
    return render(request, "centers/ratings_summary.html", {
        "centers": selectors_ratings.rating_summary(subject=RatingSubject.CENTER),
        "agencies": selectors_ratings.rating_summary(subject=RatingSubject.AGENCY),
        "criteria": services_ratings.CRITERIA})


def _form_context(data=None, errors=None) -> dict:
    return {"centers": Center.objects.order_by("code"), "agencies": selectors_ratings.agency_entities(),
            "criteria": services_ratings.CRITERIA, "data": data or {}, "errors": errors or {}, "scale": range(1, 6)}


@requires(PUBLIC)
def third_party_rating_view(request):
    if request.method != "POST":
        return render(request, "centers/rating_third_party.html", _form_context())
    data = request.POST
    target = data.get("target", "")
    kind, _sep, ident = target.partition(":")
    center = agency = None
    if kind == RatingSubject.CENTER:
        center = Center.objects.filter(code=ident).first()
    elif kind == RatingSubject.AGENCY and ident.isdigit() and len(ident) < 19:
        agency = selectors_ratings.agency_entities().filter(pk=int(ident)).first()
    try:
        services_ratings.third_party_rating_submit(subject=kind, center=center, agency=agency, data=dict(data.items()),
                                                   address=client_address(request))
    except DomainError as exc:
        return render(request, "centers/rating_third_party.html",
                      _form_context(data, {("general" if k == "__all__" else k): v[0] for k, v in exc.errors.items()}),
                      status=getattr(exc, "status_code", 400))
    messages.success(request, _("感谢您的评价（已标记为第三方评价）"))
    return redirect("centers:rating_third_party")
