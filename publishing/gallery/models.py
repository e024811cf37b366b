"""Editable legal pages (per language, German is the fallback) and accessibility feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LegalPage(models.Model):
    """One legal text in one language, edited by campaign admins in the Django admin.

    The body is plain text: an empty line starts a paragraph, a line starting with ``## ``
    is a heading, lines starting with ``- `` form a list. ``[[SETTING_NAME]]`` inserts the
    current value of an allowed setting (``selectors.LEGAL_PLACEHOLDERS``: campaign name and
    retention periods), so the privacy notice never drifts from the code.
    """

    class Kind(models.TextChoices):
        IMPRINT = "impressum", _("Impressum")
        PRIVACY = "datenschutz", _("Datenschutzerklärung")
        ACCESSIBILITY = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")
        EASY_LANGUAGE = "leichte-sprache", _("Leichte Sprache")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="de")
    title = models.CharField(_("Titel"), max_length=200)
    body = models.TextField(_("Text"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "language"]
        verbose_name = _("Rechtstext")
        verbose_name_plural = _("Rechtstexte")
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="one_legal_page_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


class AccessibilityFeedback(models.Model):
    """A barrier reported through the form on the accessibility statement."""

    page_url = models.CharField(_("Seite"), max_length=500, blank=True)
    message = models.TextField(_("Nachricht"))
    name = models.CharField(_("Name"), max_length=120, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    language = models.CharField(max_length=8, default="de")
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    handled = models.BooleanField(_("Erledigt"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Rückmeldung zur Barrierefreiheit")
        verbose_name_plural = _("Rückmeldungen zur Barrierefreiheit")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.message[:40]}"


class StoryPick(models.Model):
    """A published story the moderators put on the home page ("Ausgewählte Geschichten").

    Kept on the gallery side so the story's own lifecycle stays untouched; a pick of a story
    that is no longer published is simply not shown.
    """

    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, related_name="gallery_pick"
    )
    picked_at = models.DateTimeField(default=timezone.now, db_index=True)
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-picked_at"]
        verbose_name = _("Ausgewählte Geschichte")
        verbose_name_plural = _("Ausgewählte Geschichten")

    def __str__(self) -> str:
        return str(self.story_id)
