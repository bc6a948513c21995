"""Control relationships on the entity page (控制关系): record (staff, or the entity declaring) and end."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ggzy.core.errors import DomainError, NotAllowed
from ggzy.core.permissions import AUTHENTICATED, requires

from . import policies, selectors_control, services_control
from .choices import ControlKind, ControlSource
from .models import MarketEntity

FIELDS = ("controller_credit_code", "controller_person_name", "controller_person_id_number", "kind", "share_percent",
          "source", "valid_from", "valid_until")


def controls_context(user: Any, entity: MarketEntity) -> dict[str, Any]:
    """What the entity page shows of control relationships (nothing to the public)."""
    if not selectors_control.can_view_controls(user, entity):
        return {"controls": None}
    return {"controls": list(selectors_control.entity_controls_for_user(user=user, entity=entity)),
            "control_kinds": ControlKind.choices, "can_record_control": policies.can_update(user, entity),
            "control_sources": [(v, label) for v, label in ControlSource.choices if v != ControlSource.DECLARED]
            if policies.is_staff_over(user, entity) else []}


def _error_messages(request, exc: DomainError) -> None:
    for texts in exc.errors.values():
        for text in texts:
            messages.error(request, text)


@requires(AUTHENTICATED)
@require_POST
def entity_control_add_view(request, credit_code: str):
    from .views import _entity_or_404  # noqa: PLC0415 — one lookup for every registry page

    entity = _entity_or_404(credit_code)
    data = {name: request.POST.get(name, "") for name in FIELDS}
    try:
        services_control.entity_control_record(actor=request.user, controlled=entity, data=data)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("已登记控制关系"))
    return redirect(reverse("registry:entity_detail", args=[entity.credit_code]) + "#controls")


@requires(AUTHENTICATED)
@require_POST
def entity_control_end_view(request, credit_code: str, control_id: int):
    from .views import _entity_or_404  # noqa: PLC0415

    entity = _entity_or_404(credit_code)
    if not entity.controlled_by.filter(pk=control_id).exists() and not entity.controls_held.filter(
            pk=control_id).exists():
        raise PermissionDenied(_("控制关系不存在"))
    try:
        services_control.entity_control_end(actor=request.user, control_id=control_id,
                                            valid_until=request.POST.get("valid_until", ""))
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("已终止控制关系"))
    return redirect(reverse("registry:entity_detail", args=[entity.credit_code]) + "#controls")
