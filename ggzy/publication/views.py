"""Staff pages of the publication push (信息推送): subscribers with their queues, registering one, and the dead
letters with their retry / resend buttons."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ggzy.core.errors import DomainError
from ggzy.core.forms import apply_domain_error
from ggzy.core.permissions import requires, roles
from ggzy.core.roles import Role

from . import selectors, services
from .models import PublicationKind, PushMessage
from .policies import can_manage_push

ADMINS = roles(Role.ADMIN)


class SubscriberForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=128)
    url = forms.CharField(label=_("推送地址"), max_length=500)
    kinds = forms.MultipleChoiceField(label=_("订阅类别"), choices=PublicationKind.choices,
                                      widget=forms.CheckboxSelectMultiple, required=False)
    secret = forms.CharField(label=_("共享密钥（留空自动生成）"), max_length=128, required=False)


def _require(request) -> None:
    if not can_manage_push(request.user):
        raise PermissionDenied("只有系统管理员可以管理信息推送")


def _page(request, *, form=None, status=200):
    return render(request, "publication/push.html", {
        "subscribers": selectors.subscriber_list_with_counts(), "dead": selectors.dead_letters(),
        "form": form or SubscriberForm(initial={"kinds": PublicationKind.values})}, status=status)


@requires(ADMINS)
def push_view(request):
    _require(request)
    return _page(request)


@requires(ADMINS)
@require_POST
def subscriber_register_view(request):
    _require(request)
    form = SubscriberForm(request.POST)
    if form.is_valid():
        try:
            services.subscriber_register(actor=request.user, name=form.cleaned_data["name"],
                                         url=form.cleaned_data["url"], kinds=form.cleaned_data["kinds"],
                                         secret=form.cleaned_data["secret"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, gettext("已登记推送订阅方"))
            return redirect("publication:push")
    return _page(request, form=form, status=400)


def _dead_letter_action(request, pk: int, action) -> object:
    _require(request)
    message = get_object_or_404(PushMessage, pk=pk)
    try:
        action(actor=request.user, message=message)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("已重新加入推送队列"))
    return redirect("publication:push")


@requires(ADMINS)
@require_POST
def dead_letter_retry_view(request, pk: int):
    return _dead_letter_action(request, pk, services.dead_letter_retry)


@requires(ADMINS)
@require_POST
def dead_letter_resend_view(request, pk: int):
    return _dead_letter_action(request, pk, services.dead_letter_resend)


app_name = "publication"
urlpatterns = [
    path("", push_view, name="push"),
    path("subscribers/", subscriber_register_view, name="subscriber_register"),
    path("dead-letters/<int:pk>/retry/", dead_letter_retry_view, name="dead_letter_retry"),
    path("dead-letters/<int:pk>/resend/", dead_letter_resend_view, name="dead_letter_resend"),
]
