"""One POST action on a lot's method page (negotiation, single source): run it, flash the outcome, go back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ggzy.core.errors import DomainError

Action = tuple[Callable[[Any, Any], Any], str]


def lot_action_run(request, lot, *, actions: Mapping[str, Action], action: str, page: str) -> HttpResponse:
    """Run ``actions[action]`` for ``lot``; a domain error is shown field by field, nothing else changes."""
    entry = actions.get(action)
    if entry is None:
        raise Http404("未知操作")
    run, done = entry
    try:
        run(request, lot)
    except DomainError as exc:
        messages.error(request, "；".join("；".join(m) for m in exc.errors.values()) or exc.message)
    else:
        messages.success(request, _(done))
    return redirect(reverse(page, args=[lot.pk]))
