"""One resumable upload: the bytes a supporter's browser sends for one video."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Upload(models.Model):
    """A tus upload, from creation to a finished file in media storage.

    The UUID4 primary key names the upload (the tus URL) but is no credential: URLs end up
    in logs, proxies and browser history. Every request about an upload must carry the
    upload token it was created with (``Upload-Token``); ``token_hash`` is its sha256, the
    token itself is never stored. ``owner_key`` names the draft the token proved ownership
    of at creation (the owner validator derives it from the token, never from anything the
    client names); whoever attaches the upload to a story must check that it matches.
    """

    class State(models.TextChoices):
        RECEIVING = "receiving", _("receiving")
        COMPLETED = "completed", _("completed")
        EXPIRED = "expired", _("expired")
        TERMINATED = "terminated", _("terminated")
        REJECTED = "rejected", _("rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner_key = models.CharField(max_length=128, db_index=True)
    # sha256 of the Upload-Token the upload was created with; empty: nobody may touch it.
    token_hash = models.CharField(max_length=64, blank=True)
    length = models.PositiveBigIntegerField()
    offset = models.PositiveBigIntegerField(default=0)
    # The decoded Upload-Metadata (filename, filetype, lang): stored, never a path.
    metadata = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVING)
    storage_key = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    sniffed_type = models.CharField(max_length=100, blank=True)
    rejection_reason = models.CharField(max_length=32, blank=True)
    client_ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "expires_at"], name="upload_state_expires")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offset__lte=models.F("length")),
                name="upload_offset_within_length",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="completed") | ~models.Q(storage_key=""),
                name="upload_completed_has_storage_key",
            ),
        ]

    def __str__(self) -> str:
        return f"upload {self.id} ({self.state}, {self.offset}/{self.length})"
