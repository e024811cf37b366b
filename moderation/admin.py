"""The campaign admin's side: moderation settings, reason templates; a read-only audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from stories.models import AuditEntry

from .models import (
    DecisionEmailTemplate,
    ModerationSettings,
    RejectionReason,
    RejectionReasonText,
)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "four_eyes", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not ModerationSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RejectionReasonTextInline(admin.TabularInline):
    model = RejectionReasonText
    extra = 0


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "position", "is_active", "is_spam")
    list_editable = ("position", "is_active")
    prepopulated_fields = {"code": ("label",)}
    inlines = [RejectionReasonTextInline]


@admin.register(DecisionEmailTemplate)
class DecisionEmailTemplateAdmin(admin.ModelAdmin):
    list_display = ("decision", "language", "subject", "updated_at")
    list_filter = ("decision", "language")
    fieldsets = [
        (
            None,
            {
                "fields": ("decision", "language", "subject", "body"),
                "description": (
                    "Platzhalter: {name}, {title}, {reason}, {request}, {status_url}. "
                    "Ohne Vorlage für eine Sprache gilt der eingebaute, übersetzte Text."
                ),
            },
        )
    ]


if not admin.site.is_registered(AuditEntry):

    @admin.register(AuditEntry)
    class AuditEntryAdmin(admin.ModelAdmin):
        """Read-only: the audit log is append-only and no one edits or deletes it."""

        list_display = ("created_at", "actor_label", "action", "story")
        list_filter = ("action",)
        search_fields = ("actor_label", "action", "comment")
        date_hierarchy = "created_at"
        list_select_related = ("story",)

        def has_add_permission(self, request: HttpRequest) -> bool:
            return False

        def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
            return False

        def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
            return False
