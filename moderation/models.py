"""Moderation state beside a story: claims, approvals, review metadata, notes, reasons.

The story's own status lives on ``stories.Story``; every change to it goes through
``moderation.services``, which lock the story row and write the audit entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from stories.models import Story


class ModerationSettings(models.Model):
    """The campaign's moderation rules: one row (pk=1), edited in the Django admin."""

    four_eyes = models.BooleanField(
        _("Vier-Augen-Prinzip"),
        default=False,
        help_text=_(
            "Eine Geschichte ist erst freigegeben, wenn zwei verschiedene Personen zustimmen."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Moderationseinstellungen")
        verbose_name_plural = _("Moderationseinstellungen")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="moderation_settings_singleton")
        ]

    def __str__(self) -> str:
        return str(_("Moderationseinstellungen"))


class Review(models.Model):
    """What moderators add to a story: assignment, checklist and YouTube metadata.

    Carries the workspace's permissions, so the groups have one place to look.
    """

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="review")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reviews",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    checklist = models.JSONField(default=dict, blank=True)
    youtube_title = models.CharField(_("YouTube-Titel"), max_length=100, blank=True)
    youtube_description = models.TextField(_("YouTube-Beschreibung"), max_length=5000, blank=True)
    youtube_tags = models.JSONField(_("YouTube-Tags"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Prüfung")
        verbose_name_plural = _("Prüfungen")
        permissions = [
            ("view_workspace", "Can open the moderation workspace and the audit log"),
            ("review_story", "Can claim, edit, annotate stories and re-run media"),
            ("decide_story", "Can approve, reject and request changes"),
            ("publish_story", "Can schedule and publish approved stories to YouTube"),
            ("takedown_story", "Can take stories down, also after publication"),
            ("takeover_claim", "Can take over a story another moderator holds"),
        ]

    def __str__(self) -> str:
        return f"review of story {self.story_id}"


class Claim(models.Model):
    """A moderator holds a story while working on it; expires unless renewed."""

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="claim")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_claims"
    )
    claimed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("Bearbeitung")
        verbose_name_plural = _("Bearbeitungen")

    def __str__(self) -> str:
        return f"story {self.story_id} held by {self.holder_id} until {self.expires_at:%H:%M}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()


class Approval(models.Model):
    """One moderator's approval in the current review round.

    A change request supersedes the round's approvals; the database refuses a second
    live approval by the same moderator for the same story.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="approvals")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderation_approvals"
    )
    created_at = models.DateTimeField(default=timezone.now)
    superseded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("Zustimmung")
        verbose_name_plural = _("Zustimmungen")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["story", "moderator"],
                condition=models.Q(superseded=False),
                name="one_live_approval_per_moderator",
            )
        ]

    def __str__(self) -> str:
        return f"approval of story {self.story_id} by {self.moderator_id}"


class InternalNote(models.Model):
    """A note among moderators; never shown to the submitter."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("Interne Notiz")
        verbose_name_plural = _("Interne Notizen")

    def __str__(self) -> str:
        return f"note {self.pk} on story {self.story_id}"


class RejectionReason(models.Model):
    """An editable template for rejections; its text is sent in the submitter's language."""

    code = models.SlugField(unique=True)
    label = models.CharField(_("Bezeichnung"), max_length=120)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    is_spam = models.BooleanField(
        default=False, help_text=_("Wird für die Sammelaktion „als Spam ablehnen“ verwendet.")
    )

    class Meta:
        ordering = ["position", "label"]
        verbose_name = _("Ablehnungsgrund")
        verbose_name_plural = _("Ablehnungsgründe")

    def __str__(self) -> str:
        return self.label

    def text_for(self, language: str) -> str:
        """The text in ``language``, else German, else the label."""
        texts = {t.language: t.text for t in self.texts.all()}
        return texts.get(language) or texts.get("de") or self.label


class RejectionReasonText(models.Model):
    reason = models.ForeignKey(RejectionReason, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    text = models.TextField()

    class Meta:
        verbose_name = _("Text des Ablehnungsgrunds")
        verbose_name_plural = _("Texte des Ablehnungsgrunds")
        constraints = [
            models.UniqueConstraint(fields=["reason", "language"], name="one_text_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.reason.code} ({self.language})"


class DigestRun(models.Model):
    """When the moderators' digest last went out, so the next one says what is new."""

    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    recipients = models.PositiveIntegerField(default=0)
    new_stories = models.PositiveIntegerField(default=0)
    waiting_stories = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"digest {self.sent_at:%Y-%m-%d %H:%M}"


class DecisionEmailTemplate(models.Model):
    """A campaign's own wording of a decision e-mail in one language (admin-editable).

    Placeholders: {name}, {title}, {reason}, {request}, {status_url}. Without a template
    for the submitter's language the built-in, translated wording is used.
    """

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Freigegeben")
        REJECTED = "rejected", _("Abgelehnt")
        CHANGES_REQUESTED = "changes_requested", _("Änderungen erbeten")
        TAKEN_DOWN = "taken_down", _("Entfernt")

    decision = models.CharField(_("Entscheidung"), max_length=32, choices=Decision.choices)
    language = models.CharField(_("Sprache"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("Betreff"), max_length=200)
    body = models.TextField(_("Text"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "language"], name="one_decision_template_per_language"
            )
        ]
        verbose_name = _("E-Mail-Vorlage für Entscheidungen")
        verbose_name_plural = _("E-Mail-Vorlagen für Entscheidungen")

    def __str__(self) -> str:
        return f"{self.decision} ({self.language})"


class IntegrationToken(AbstractAuthToken):
    """An API token for an integration: django-rest-knox stores only its digest.

    Read-only unless ``can_write``; expires after ``API_TOKEN_TTL_DAYS``; issued only from a
    session with a verified second factor (``moderation.staff_services.token_issue``).
    """

    name = models.CharField(_("Bezeichnung"), max_length=100)
    can_write = models.BooleanField(_("Darf ändern"), default=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API-Schlüssel")
        verbose_name_plural = _("API-Schlüssel")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"
