"""Retention: personal data is kept only as long as it serves its purpose.

Each job takes ``now``, removes exactly what is due, logs it and returns a report. Stories
are erased with ``stories.privacy.story_erase`` (the row stays as minimal proof; the audit
log refuses deletion), originals are deleted from storage and marked on their StoryMedia.
Unfinished uploads are expired by ``stories.uploads.services.uploads_expire``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .audit import audit_record
from .models import Story, StoryMedia
from .privacy import story_erase

logger = logging.getLogger(__name__)

S = Story.Status


@dataclass
class RetentionReport:
    job: str
    story_ids: list[int] = field(default_factory=list)
    media_ids: list[int] = field(default_factory=list)
    files_deleted: int = 0
    bytes_freed: int = 0
    skipped: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.story_ids) + len(self.media_ids)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "count": self.count}


def _erase_all(job: str, story_ids: list[int], reason: str) -> RetentionReport:
    report = RetentionReport(job=job)
    for story in Story.objects.filter(pk__in=story_ids).order_by("pk"):
        erased = story_erase(story=story, actor=None, reason=reason)
        report.story_ids.append(story.pk)
        report.files_deleted += len(erased.files_deleted)
    if report.story_ids:
        logger.info("retention %s: erased %d stories %s", job, report.count, report.story_ids)
    return report


def retention_unconfirmed_drafts(*, now: datetime | None = None) -> RetentionReport:
    """Erase drafts untouched and submissions unconfirmed for RETENTION_UNCONFIRMED_DAYS."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.RETENTION_UNCONFIRMED_DAYS)
    due = Story.objects.filter(
        Q(status=S.DRAFT, updated_at__lt=limit)
        | Q(status=S.AWAITING_CONFIRMATION, status_changed_at__lt=limit)
    )
    return _erase_all(
        "unconfirmed_drafts",
        list(due.values_list("pk", flat=True)),
        f"retention: unconfirmed after {settings.RETENTION_UNCONFIRMED_DAYS} days",
    )


def retention_rejected(*, now: datetime | None = None) -> RetentionReport:
    """Erase stories rejected more than RETENTION_REJECTED_DAYS ago."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.RETENTION_REJECTED_DAYS)
    due = Story.objects.filter(status=S.REJECTED, status_changed_at__lt=limit)
    return _erase_all(
        "rejected",
        list(due.values_list("pk", flat=True)),
        f"retention: rejected {settings.RETENTION_REJECTED_DAYS} days ago",
    )


def _transcode_verified(media: StoryMedia) -> bool:
    """Master, preview and poster exist in storage and are not empty."""
    keys = (media.master_key, media.preview_key, media.poster_key)
    if not all(keys):
        return False
    try:
        return all(default_storage.exists(k) and default_storage.size(k) > 0 for k in keys)
    except OSError:
        return False


def retention_originals(*, now: datetime | None = None) -> RetentionReport:
    """Delete original uploads once their transcode is verified and the story published
    (or right after the verified transcode with RETENTION_DELETE_ORIGINAL_AFTER_TRANSCODE).

    Media that is not current (replaced by a newer upload) counts like the current one.
    """
    now = now or timezone.now()
    report = RetentionReport(job="originals")
    candidates = StoryMedia.objects.filter(
        state=StoryMedia.State.READY, original_deleted_at__isnull=True
    ).select_related("upload", "story")
    if not settings.RETENTION_DELETE_ORIGINAL_AFTER_TRANSCODE:
        candidates = candidates.filter(story__status=S.PUBLISHED)
    for media in candidates.order_by("pk")[:500]:
        if not _transcode_verified(media):
            report.skipped.append(media.pk)
            continue
        key = media.upload.storage_key
        with transaction.atomic():
            locked = (
                StoryMedia.objects.select_for_update()
                .filter(pk=media.pk, original_deleted_at__isnull=True)
                .first()
            )
            if locked is None:
                continue
            # Another media row may share the upload (re-run); it is the same original.
            StoryMedia.objects.filter(upload_id=media.upload_id).update(original_deleted_at=now)
            audit_record(
                action="stories.retention.original_deleted",
                story=media.story,
                after={"media": media.pk},
            )
        if key and default_storage.exists(key):
            report.bytes_freed += default_storage.size(key)
            default_storage.delete(key)
            report.files_deleted += 1
        report.media_ids.append(media.pk)
    if report.media_ids:
        logger.info(
            "retention originals: deleted %d originals (%d bytes) of media %s",
            report.files_deleted,
            report.bytes_freed,
            report.media_ids,
        )
    return report
