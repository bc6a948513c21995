"""Shared admin behaviour: permissions from ggzy.catalog.policies, writes through services, refusals as messages."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpResponseRedirect

from ggzy.core.errors import DomainError

from .. import policies


def formset_rows(formset, fields: tuple[str, ...]) -> list[dict]:
    """The rows an inline formset keeps (blank extra rows and rows marked for deletion left out)."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        rows.append({name: data.get(name) for name in fields})
    return rows


class ReferenceAdmin(admin.ModelAdmin):
    """Staff of every center may look; only the provincial center may change; nothing is ever deleted."""

    def has_module_permission(self, request):
        return policies.can_view_reference_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return policies.can_view_reference_admin(request.user)

    def has_add_permission(self, request):
        return policies.can_view_reference_admin(request.user) and policies.can_edit_reference(request.user)

    def has_change_permission(self, request, obj=None):
        return policies.can_view_reference_admin(request.user) and policies.can_edit_reference(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A service's refusal rolls back the whole admin transaction and comes back as messages."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            for field, texts in exc.errors.items():
                for text in texts:
                    messages.error(request, text if field == "__all__" else f"{field}：{text}")
            return HttpResponseRedirect(request.get_full_path())


class WrittenByServiceAdmin(ReferenceAdmin):
    """The page and its inlines are written by one service call in ``save_related``, not by the formsets."""

    def save_model(self, request, obj, form, change):
        """Nothing here: see ``save_related``."""

    def save_formset(self, request, form, formset, change):
        """Nothing here: see ``save_related``."""

    def construct_change_message(self, request, form, formsets, add=False):
        return [{"added" if add else "changed": {}}]


class ReferenceInline:
    """Inline rows follow the permissions of the page they sit on."""

    # Mixed into an ``admin.InlineModelAdmin``, whose ``__init__`` sets these.
    admin_site: admin.AdminSite
    parent_model: type[Model]

    def has_view_permission(self, request, obj=None):
        return policies.can_view_reference_admin(request.user)

    def _editable(self, request, obj) -> bool:
        return self.admin_site._registry[self.parent_model].has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and self._editable(request, obj)
