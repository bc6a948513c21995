"""The evaluation committee's 预警 panel on the lot page: the lot's alerts (after the opening only) and the
member's decision on each (认定 / 不认定 with a reason), through supervision's services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from ggzy.core.errors import DomainError
from ggzy.core.permissions import AUTHENTICATED, requires
from ggzy.supervision import selectors as alerts
from ggzy.supervision import services as alert_services

from . import selectors


def lot_alerts_context(*, user, lot) -> list:
    """The lot's alerts for a seated committee member (or the lot's supervisors); empty for anyone else."""
    return alerts.lot_alerts(user=user, lot_id=lot.pk)


@requires(AUTHENTICATED)
@require_POST
def alert_decide_view(request, lot_id: int, alert_id: int):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404("标段不存在")
    try:
        alert = alerts.alert_get(user=request.user, alert_id=alert_id)
        if alert.lot_id != lot.pk:
            raise Http404("预警不存在")
        alert_services.alert_decide(actor=request.user, alert=alert, decision=request.POST.get("decision", ""),
                                    reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, gettext(str(exc)))
    else:
        messages.success(request, gettext("预警认定已记录"))
    return redirect(reverse("tendering:lot", args=[lot.pk]) + "#alerts-panel")


urlpatterns = [
    path("lots/<int:lot_id>/alerts/<int:alert_id>/decide/", alert_decide_view, name="alert_decide"),
]
