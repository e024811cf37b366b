"""The core of the product: stories, their media, the consent ledger and the audit log."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kernel.media_errors import RejectionCode, rejection_message


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Rows of append-only tables are written once; bulk changes are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError(f"{self.model.__name__} entries are append-only")

    def delete(self) -> NoReturn:
        raise PermissionError(f"{self.model.__name__} entries are append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(f"{type(self).__name__} entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError(f"{type(self).__name__} entries are append-only")


class Region(models.Model):
    """A district or independent city; data, so each campaign can bring its own list."""

    name = models.CharField(_("Name"), max_length=120)
    slug = models.SlugField(unique=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    is_other = models.BooleanField(
        default=False, help_text=_("Die Auswahl „andere Region“ mit Freitext.")
    )

    class Meta:
        ordering = ["is_other", "position", "name"]
        verbose_name = _("Region")
        verbose_name_plural = _("Regionen")

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    name = models.CharField(_("Name"), max_length=120)
    slug = models.SlugField(unique=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the visitor's language (seeded topics are in the catalogues)."""
        from django.utils.translation import gettext

        return gettext(self.name)


class Story(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("E-Mail-Bestätigung ausstehend")
        IN_REVIEW = "in_review", _("In Prüfung")
        CHANGES_REQUESTED = "changes_requested", _("Änderungen erbeten")
        APPROVED = "approved", _("Freigegeben")
        PUBLISHED = "published", _("Veröffentlicht")
        REJECTED = "rejected", _("Abgelehnt")
        WITHDRAWN = "withdrawn", _("Zurückgezogen")
        TAKEN_DOWN = "taken_down", _("Entfernt")
        ERASED = "erased", _("Gelöscht")

    class SubmitterRole(models.TextChoices):
        PERSON = "person", _("Ich bin die Person in der Geschichte")
        SUPPORTER = "supporter", _("Ich unterstütze die Person")
        ORGANISATION = "organisation", _("Ich schreibe für eine Organisation")

    class Credit(models.TextChoices):
        FULL_NAME = "full_name", _("Mit vollem Namen")
        FIRST_NAME = "first_name", _("Nur mit Vornamen")
        PSEUDONYM = "pseudonym", _("Mit einem Pseudonym")
        ANONYMOUS = "anonymous", _("Anonym")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # sha256 of the private token behind the status link; the token itself is never stored.
    access_token_hash = models.CharField(max_length=64, unique=True)
    # Part of the signed status link; raising it retires every status link sent before.
    status_link_version = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=32, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    title = models.CharField(_("Titel"), max_length=120, blank=True)
    text = models.TextField(_("Geschichte"), blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    region_other = models.CharField(_("Andere Region"), max_length=120, blank=True)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT)
    video_language = models.CharField(_("Sprache des Videos"), max_length=16, blank=True)
    language = models.CharField(_("Sprache der Einreichung"), max_length=8, default="de")

    submitter_name = models.CharField(_("Name"), max_length=120, blank=True)
    submitter_email = models.EmailField(_("E-Mail"), blank=True)
    submitter_organisation = models.CharField(_("Organisation"), max_length=160, blank=True)
    submitter_role = models.CharField(max_length=16, choices=SubmitterRole.choices, blank=True)
    credit = models.CharField(max_length=16, choices=Credit.choices, blank=True)
    credit_pseudonym = models.CharField(_("Pseudonym"), max_length=80, blank=True)
    partner_ref = models.CharField(max_length=40, blank=True, db_index=True)

    has_minor = models.BooleanField(default=False)
    guardian_name = models.CharField(max_length=120, blank=True)
    guardian_email = models.EmailField(blank=True)
    guardian_confirmed_at = models.DateTimeField(null=True, blank=True)
    guardian_request_sent_at = models.DateTimeField(null=True, blank=True)

    video_upload = models.ForeignKey(
        "uploads.Upload", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revised = models.BooleanField(default=False)
    decision_reason = models.TextField(blank=True)
    change_request = models.TextField(blank=True)

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the double opt-in e-mail went out; the reconciler sends it if it never did.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "id"]
        verbose_name = _("Geschichte")
        verbose_name_plural = _("Geschichten")
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            # The moderation queue (status, oldest change first) and the gallery (status,
            # newest first) read in this order; updated_at makes the gallery's state
            # (count, last change, last edit) an index-only scan.
            models.Index(
                fields=["status", "status_changed_at", "id", "updated_at"],
                name="story_status_changed_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"

    @property
    def credit_line(self) -> str:
        """The name shown to the public, exactly as the submitter chose."""
        if self.credit == self.Credit.FULL_NAME:
            return self.submitter_name
        if self.credit == self.Credit.FIRST_NAME:
            return self.submitter_name.split(" ", 1)[0]
        if self.credit == self.Credit.PSEUDONYM:
            return self.credit_pseudonym
        return str(_("anonym"))


class StoryMedia(models.Model):
    """Processing of one uploaded video: waiting → probing → transcoding → ready | failed."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Wartet")
        PROBING = "probing", _("Wird geprüft")
        TRANSCODING = "transcoding", _("Wird umgewandelt")
        READY = "ready", _("Fertig")
        FAILED = "failed", _("Fehlgeschlagen")

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="media")
    upload = models.ForeignKey("uploads.Upload", on_delete=models.PROTECT, related_name="+")
    is_current = models.BooleanField(default=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING)
    progress_percent = models.FloatField(default=0)
    eta_seconds = models.FloatField(null=True, blank=True)
    failure_code = models.CharField(max_length=32, blank=True)
    failure_message = models.TextField(blank=True)
    technical_detail = models.TextField(blank=True)
    probe = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    master_key = models.CharField(max_length=255, blank=True)
    preview_key = models.CharField(max_length=255, blank=True)
    poster_key = models.CharField(max_length=255, blank=True)
    original_deleted_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["story"], condition=models.Q(is_current=True), name="one_current_media"
            )
        ]

    def __str__(self) -> str:
        return f"media {self.pk} of story {self.story_id}: {self.state}"

    @property
    def failure_text(self) -> str:
        """Why the video failed, in the reader's language when the reason has a code."""
        if self.failure_code in set(RejectionCode):
            return rejection_message(self.failure_code, translation.get_language())
        return self.failure_message


class ConsentText(models.Model):
    """A versioned consent text; changing a text means adding a new version."""

    class Purpose(models.TextChoices):
        PUBLICATION = "publication", _("Veröffentlichung auf YouTube und der Kampagnenseite")
        USAGE_RIGHTS = "usage_rights", _("Nutzungsrechte")
        SPECIAL_CATEGORIES = "special_categories", _("Angaben zu Herkunft oder Religion")
        PEOPLE_IN_VIDEO = "people_in_video", _("Einverständnis aller Personen im Video")
        GUARDIAN = "guardian", _("Zustimmung der Erziehungsberechtigten")

    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    version = models.PositiveIntegerField()
    language = models.CharField(max_length=8)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "version", "language"], name="unique_consent_text_version"
            )
        ]
        ordering = ["purpose", "-version"]

    def __str__(self) -> str:
        return f"{self.purpose} v{self.version} ({self.language})"


class ConsentRecord(AppendOnlyModel):
    """One entry of the append-only consent ledger: who agreed to what, when, as shown."""

    class Subject(models.TextChoices):
        SUBMITTER = "submitter", _("Einreichende Person")
        GUARDIAN = "guardian", _("Erziehungsberechtigte Person")

    story = models.ForeignKey(Story, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=32, choices=ConsentText.Purpose.choices)
    consent_text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, null=True)
    text_version = models.PositiveIntegerField()
    text_language = models.CharField(max_length=8)
    subject = models.CharField(max_length=16, choices=Subject.choices)
    granted = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrew"
        return f"{self.subject} {verb} {self.purpose} v{self.text_version}"


class AuditEntry(AppendOnlyModel):
    """The append-only audit log: actor, time, action, comment, before/after."""

    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=120)
    action = models.CharField(max_length=80, db_index=True)
    comment = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class StoryPhoto(models.Model):
    """An optional photo: re-encoded on arrival, upright, without EXIF or location."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="photos")
    storage_key = models.CharField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of story {self.story_id}"


class StorySubtitle(models.Model):
    """The submitter's subtitles for the video, normalised to WebVTT (at most one per story)."""

    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="subtitle")
    storage_key = models.CharField(max_length=255)
    language = models.CharField(max_length=16)
    cue_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"subtitles ({self.language}) of story {self.story_id}"
