"""Campaign admins edit the legal pages and read accessibility feedback in the Django admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AccessibilityFeedback, LegalPage, StoryPick
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


class StoryPickForm(forms.ModelForm):
    """Refuses a story that is not published, before the service would."""

    class Meta:
        model = StoryPick
        fields = ["story"]

    def clean_story(self) -> Any:
        story = self.cleaned_data["story"]
        if story is not None and story.status != story.Status.PUBLISHED:
            raise forms.ValidationError(
                _("Nur veröffentlichte Geschichten können ausgewählt werden."), code="unpublished"
            )
        return story


@admin.register(StoryPick)
class StoryPickAdmin(admin.ModelAdmin):
    """Moderators' picks for the home page; adding and removing go through the services."""

    form = StoryPickForm
    list_display = ("story", "picked_at", "picked_by")
    raw_id_fields = ("story",)
    fields = ("story",)

    def save_model(self, request: HttpRequest, obj: StoryPick, form: Any, change: bool) -> None:
        user = request.user if request.user.is_authenticated else None
        obj.pk = services.story_pick(story=obj.story, by=user).pk

    def delete_model(self, request: HttpRequest, obj: StoryPick) -> None:
        user = request.user if request.user.is_authenticated else None
        services.story_unpick(story=obj.story, by=user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for pick in queryset.select_related("story"):
            self.delete_model(request, pick)
