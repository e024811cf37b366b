from django.contrib import admin
from django.http import HttpRequest

from .models import Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    """Read-only: uploads change only through the tus endpoint and the services."""

    list_display = ["id", "state", "offset", "length", "sniffed_type", "created_at", "expires_at"]
    list_filter = ["state", "sniffed_type"]
    search_fields = ["id", "owner_key", "sha256"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Upload | None = None) -> list[str]:
        return [field.name for field in Upload._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Upload | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Upload | None = None) -> bool:
        return False
