"""Campaign admins edit the legal pages and read accessibility feedback in the Django admin."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AccessibilityFeedback, LegalPage
from .selectors import LEGAL_PLACEHOLDERS, legal_unknown_placeholders


class LegalPageForm(forms.ModelForm):
    """Refuses placeholders outside the allow-list, so a typo or a secret is caught here."""

    class Meta:
        model = LegalPage
        fields = ["kind", "language", "title", "body"]

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        unknown = legal_unknown_placeholders(body)
        if unknown:
            raise forms.ValidationError(
                _("Diese Platzhalter gibt es nicht: %(unknown)s. Erlaubt sind nur: %(allowed)s.")
                % {
                    "unknown": ", ".join(f"[[{name}]]" for name in unknown),
                    "allowed": ", ".join(f"[[{name}]]" for name in LEGAL_PLACEHOLDERS),
                },
                code="placeholder",
            )
        return body


@admin.register(LegalPage)
class LegalPageAdmin(admin.ModelAdmin):
    form = LegalPageForm
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
