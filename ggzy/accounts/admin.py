from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ImproperlyConfigured

from .models import LoginAttempt, User


def _auth_fieldsets() -> Sequence[tuple[Any, Any]]:
    """django.contrib.auth's user fieldsets, which the platform's fieldset is added to."""
    fieldsets = UserAdmin.fieldsets
    if fieldsets is None:
        raise ImproperlyConfigured("django.contrib.auth.admin.UserAdmin.fieldsets is not set")
    return fieldsets


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "center", "is_active")
    list_filter = ("role", "center", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (*_auth_fieldsets(), ("平台", {"fields": ("role", "center", "display_name")}))
    readonly_fields = ("last_login", "date_joined")


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "address", "succeeded")
    list_filter = ("succeeded",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
