"""Campaign admins edit the legal pages and read accessibility feedback in the Django admin."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import AccessibilityFeedback, LegalPage


@admin.register(LegalPage)
class LegalPageAdmin(admin.ModelAdmin):
    list_display = ("kind", "language", "title", "updated_at")
    list_filter = ("kind", "language")
    search_fields = ("title", "body")


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    list_display = ("created_at", "page_url", "language", "handled")
    list_filter = ("handled", "language")
    list_editable = ("handled",)
    readonly_fields = ("page_url", "message", "name", "email", "language", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
