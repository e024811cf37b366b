"""Campaign data in the Django admin: regions, topics, consent texts; read-only ledgers.

Consent texts are versioned: editing a text in the admin never changes what people already
agreed to — saving a changed text creates the next version, and the ledger keeps pointing
at the version each person saw.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Max
from django.http import HttpRequest

from .models import ConsentRecord, ConsentText, Region, Topic


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "is_active", "is_other"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ["purpose", "language", "version", "created_at"]
    list_filter = ["purpose", "language"]
    readonly_fields = ["version", "created_at"]
    fields = ["purpose", "language", "text", "version", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None:  # purpose and language of an existing text never change
            return [*self.readonly_fields, "purpose", "language"]
        return list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: ConsentText, form: Any, change: bool) -> None:
        latest = ConsentText.objects.filter(purpose=obj.purpose, language=obj.language).aggregate(
            v=Max("version")
        )["v"]
        if change and "text" not in form.changed_data:
            return
        # A changed text is a new version; the old one stays as people saw it.
        obj.pk = None
        obj._state.adding = True
        obj.version = (latest or 0) + 1
        super().save_model(request, obj, form, change=False)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "story",
        "purpose",
        "subject",
        "granted",
        "text_version",
        "text_language",
    ]
    list_filter = ["purpose", "granted", "text_language"]
