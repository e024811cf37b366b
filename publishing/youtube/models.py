"""What goes out to YouTube: the channel connection, publications, playlists, the quota ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class YouTubeChannel(models.Model):
    """The campaign's channel: OAuth credentials, encrypted at rest (see ``crypto``)."""

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Verbunden")
        RECONNECT_REQUIRED = "reconnect_required", _("Neu verbinden nötig")
        DISCONNECTED = "disconnected", _("Nicht verbunden")

    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.DISCONNECTED, db_index=True
    )
    # Fernet token of {"refresh_token", "access_token", "expiry"}; never stored in clear.
    credentials_encrypted = models.TextField(blank=True)
    title = models.CharField(max_length=200, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reconnect_reason = models.TextField(blank=True)
    reconnect_required_at = models.DateTimeField(null=True, blank=True)
    token_refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("YouTube-Kanal")
        verbose_name_plural = _("YouTube-Kanäle")

    def __str__(self) -> str:
        return f"{self.title or 'YouTube'} ({self.status})"


class Publication(models.Model):
    """One story's way onto YouTube; at most one per story, at most one video each."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("In der Warteschlange")
        WAITING_FOR_QUOTA = "waiting_for_quota", _("Wartet auf YouTube-Kontingent")
        UPLOADING = "uploading", _("Wird hochgeladen")
        PROCESSING = "processing", _("Wird von YouTube verarbeitet")
        PUBLISHED = "published", _("Veröffentlicht")
        FAILED = "failed", _("Fehlgeschlagen")
        TAKEDOWN_REQUESTED = "takedown_requested", _("Entfernung angefordert")
        TAKEN_DOWN = "taken_down", _("Entfernt")

    story = models.ForeignKey("stories.Story", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    # The videos.insert body (snippet, status), composed from the story; editable before upload.
    metadata = models.JSONField(default=dict, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True)

    # Resumable upload: what a new worker needs to continue where the last one stopped.
    session_uri = models.TextField(blank=True)
    confirmed_offset = models.BigIntegerField(default=0)
    total_bytes = models.BigIntegerField(default=0)
    video_id = models.CharField(max_length=32, blank=True, default="")

    thumbnail_set = models.BooleanField(default=False)
    captions_set = models.BooleanField(default=False)
    playlists = models.JSONField(default=list, blank=True)  # YouTube playlist ids
    # Thumbnail, captions and playlists were all attempted after the upload (some may be absent).
    extras_done = models.BooleanField(default=False)

    # Which worker process holds the upload ("host:pid") and when it last proved it is alive.
    claimed_by = models.CharField(max_length=200, blank=True)
    claim_heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    polls = models.PositiveIntegerField(default=0)
    resume_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)  # for the publisher, in words
    # The failure as a code and its parameters (``messages.failure_text``), rendered in the
    # reader's language; failure_reason keeps the default language's sentence.
    failure_code = models.CharField(max_length=32, blank=True)
    failure_params = models.JSONField(default=dict, blank=True)
    last_error = models.TextField(blank=True)  # technical detail of the last trouble
    takedown_reason = models.TextField(blank=True)
    # One entry per takedown step and attempt outcome: {"step", "outcome", "detail", "at"};
    # "video" (made private or deleted) comes first, playlist clean-up after it.
    takedown_steps = models.JSONField(default=list, blank=True)
    takedown_attempts = models.PositiveIntegerField(default=0)
    # When YouTube confirmed the video unreachable; None while it may still be public.
    takedown_reached_at = models.DateTimeField(null=True, blank=True)
    # When the campaign admins were e-mailed that the takedown has not reached YouTube.
    takedown_alerted_at = models.DateTimeField(null=True, blank=True)

    # What YouTube last said about the video (upload, takedown, or the reconciliation).
    youtube_privacy = models.CharField(max_length=16, blank=True)
    youtube_problem = models.CharField(max_length=32, blank=True)  # see publishing.youtube.truth
    youtube_problem_detail = models.TextField(blank=True)
    youtube_checked_at = models.DateTimeField(null=True, blank=True)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    takedown_requested_at = models.DateTimeField(null=True, blank=True)
    taken_down_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("Veröffentlichung")
        verbose_name_plural = _("Veröffentlichungen")
        constraints = [
            models.UniqueConstraint(fields=["story"], name="one_publication_per_story"),
            models.UniqueConstraint(
                fields=["video_id"], condition=~Q(video_id=""), name="unique_youtube_video"
            ),
        ]

    def __str__(self) -> str:
        return f"publication {self.pk} of story {self.story_id}: {self.status}"

    @property
    def title(self) -> str:
        return str((self.metadata.get("snippet") or {}).get("title", ""))

    @property
    def failure_text(self) -> str:
        """Why the publication failed, in the active language."""
        from .messages import failure_text

        if self.failure_code:
            return failure_text(self.failure_code, **self.failure_params) or self.failure_reason
        return self.failure_reason

    @property
    def steps_done(self) -> bool:
        """The video exists and its thumbnail, captions and playlists are taken care of."""
        return bool(self.video_id) and self.extras_done


class Playlist(models.Model):
    """A playlist the product created on the channel, per region or per topic."""

    class Kind(models.TextChoices):
        REGION = "region", _("Region")
        TOPIC = "topic", _("Thema")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.SlugField(max_length=120)
    title = models.CharField(max_length=150)
    youtube_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="one_playlist_per_region_topic")
        ]

    def __str__(self) -> str:
        return self.title


class QuotaLedger(models.Model):
    """One row per YouTube API call YouTube accepted: method, cost, quota day (Pacific date)."""

    day = models.DateField(db_index=True)
    method = models.CharField(max_length=40)
    cost = models.PositiveIntegerField()
    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["day", "method"])]

    def __str__(self) -> str:
        return f"{self.day} {self.method} {self.cost}"
