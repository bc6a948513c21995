from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import LoginAttempt, User


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "center", "is_active")
    list_filter = ("role", "center", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (*UserAdmin.fieldsets, ("平台", {"fields": ("role", "center", "display_name")}))
    readonly_fields = ("last_login", "date_joined")


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "address", "succeeded")
    list_filter = ("succeeded",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
