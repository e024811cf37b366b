"""Media state of a story's video (moved verbatim from stories/services.py)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from kernel.queue import enqueue

from ..audit import audit_record
from ..models import StoryMedia

Actor = AbstractBaseUser | AnonymousUser | None


def media_enqueue(media_id: int) -> None:
    """Queue the clean-up of the original (default queue, at once) and the processing
    (transcode queue); if Redis is down the row stays "waiting" for the reconciler."""
    enqueue("workers.tasks.media.strip_original", media_id)
    enqueue("workers.tasks.media.process_media", media_id)


def media_rerun(*, media_id: int, actor: Actor) -> StoryMedia:
    """Run processing again (a moderator's request): produce whatever is missing."""
    with transaction.atomic():
        media = StoryMedia.objects.select_for_update().get(pk=media_id)
        media.state = StoryMedia.State.WAITING
        media.failure_code = media.failure_message = media.technical_detail = ""
        media.enqueued_at = timezone.now()
        media.save()
        audit_record(action="stories.media.rerun", story=media.story, actor=actor)
        transaction.on_commit(partial(media_enqueue, media.pk))
    return media


def media_start(*, media_id: int) -> StoryMedia | None:
    """Claim a media job for a worker; None when it is gone or already done."""
    with transaction.atomic():
        media = StoryMedia.objects.select_for_update().filter(pk=media_id).first()
        if media is None or media.state in (StoryMedia.State.READY, StoryMedia.State.FAILED):
            return None
        if not media.is_current:
            return None
        media.state = StoryMedia.State.PROBING
        media.attempts += 1
        media.started_at = timezone.now()
        media.save()
    return media


def media_set_state(*, media_id: int, state: str, probe: dict[str, Any] | None = None) -> None:
    fields: dict[str, Any] = {"state": state}
    if probe is not None:
        fields["probe"] = probe
    StoryMedia.objects.filter(pk=media_id).update(**fields)


def media_original_stripped(*, media_id: int, result: dict[str, Any]) -> None:
    """Keep what the clean-up removed from the original (the job summary reports it)."""
    with transaction.atomic():
        media = StoryMedia.objects.select_for_update().filter(pk=media_id).first()
        if media is None:
            return
        media.summary = {**(media.summary or {}), "original_stripped": result}
        media.save(update_fields=["summary"])


def media_original_deleted(*, media_id: int) -> None:
    """The original could not be cleaned of its location tags and was deleted instead."""
    StoryMedia.objects.filter(pk=media_id).update(original_deleted_at=timezone.now())


def media_progress(*, media_id: int, percent: float, eta_seconds: float | None) -> None:
    StoryMedia.objects.filter(pk=media_id, state=StoryMedia.State.TRANSCODING).update(
        progress_percent=round(percent, 1), eta_seconds=eta_seconds
    )


def media_complete(*, media_id: int, keys: dict[str, str], summary: dict[str, Any]) -> StoryMedia:
    with transaction.atomic():
        media = StoryMedia.objects.select_for_update().get(pk=media_id)
        media.state = StoryMedia.State.READY
        media.master_key = keys.get("master", media.master_key)
        media.preview_key = keys.get("preview", media.preview_key)
        media.poster_key = keys.get("poster", media.poster_key)
        media.summary = summary
        media.progress_percent = 100
        media.eta_seconds = 0
        media.finished_at = timezone.now()
        media.save()
        audit_record(action="stories.media.ready", story=media.story, after={"media": media.pk})
    return media


def media_fail(*, media_id: int, code: str, message: str, technical: str = "") -> StoryMedia:
    """Processing failed in a way a person must act on; the story stays editable."""
    with transaction.atomic():
        media = StoryMedia.objects.select_for_update().get(pk=media_id)
        media.state = StoryMedia.State.FAILED
        media.failure_code = code
        media.failure_message = message
        media.technical_detail = technical[-4000:]
        media.finished_at = timezone.now()
        media.save()
        audit_record(
            action="stories.media.failed",
            story=media.story,
            comment=message,
            after={"media": media.pk, "code": code},
        )
    return media


def media_find_stuck(now: Any) -> list[int]:
    """Media jobs waiting or running far longer than any job should (lost or crashed)."""
    limit = now - timedelta(seconds=settings.JOB_STUCK_AFTER)
    waiting = StoryMedia.objects.filter(
        is_current=True, state=StoryMedia.State.WAITING, enqueued_at__lt=limit
    )
    running = StoryMedia.objects.filter(
        is_current=True,
        state__in=[StoryMedia.State.PROBING, StoryMedia.State.TRANSCODING],
        started_at__lt=now - timedelta(seconds=settings.CELERY_LONGEST_HARD_LIMIT),
    )
    return list(waiting.values_list("pk", flat=True)) + list(running.values_list("pk", flat=True))
