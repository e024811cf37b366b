"""The lifecycle of a story's media job: one table of transitions, one service that makes them.

waiting → probing → transcoding → ready, or failed with a reason in words; a worker that is
killed and gets the job again claims it anew (probing), a full disk puts it back to waiting,
and a moderator may run a finished, failed or lost job again. Every change of
``StoryMedia.state`` in the codebase goes through ``media_transition``: it locks the row,
checks ``MEDIA_TRANSITIONS``, writes the audit entry and empties the public cache when what
the public sees may change. The other writes here (progress, probe figures, the original's
clean-up) leave the state alone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.cache import public_content_changed
from kernel.errors import ConflictError
from kernel.queue import enqueue

from .audit import audit_record
from .models import StoryMedia
from .selectors import media_is_stuck, media_stuck_q

Actor = AbstractBaseUser | AnonymousUser | None
M = StoryMedia.State

# action → (the states it may start from, the state it leads to).
MEDIA_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    # A worker claims the job; a job redelivered after a killed worker is claimed again.
    "start": (frozenset({M.WAITING, M.PROBING, M.TRANSCODING}), M.PROBING),
    "transcode": (frozenset({M.PROBING}), M.TRANSCODING),
    # Not enough disk space: the job waits for the retry.
    "postpone": (frozenset({M.PROBING, M.TRANSCODING}), M.WAITING),
    "ready": (frozenset({M.TRANSCODING}), M.READY),
    "fail": (frozenset({M.WAITING, M.PROBING, M.TRANSCODING}), M.FAILED),
    # A moderator's request. A running job only when it is lost (``media_is_lost``).
    "rerun": (frozenset({M.WAITING, M.READY, M.FAILED}), M.WAITING),
}
RUNNING = frozenset({M.PROBING, M.TRANSCODING})
# Audit action names (kept from before the table: reports and tests know them).
AUDIT_ACTIONS = {"ready": "stories.media.ready", "fail": "stories.media.failed"}


def media_is_lost(media: StoryMedia, *, now: Any | None = None) -> bool:
    """Is a running job stuck (its worker crashed or vanished)? The one stuck rule decides."""
    return media.state in RUNNING and media_is_stuck(media=media, now=now)


def media_transition(
    *,
    media_id: int,
    action: str,
    actor: Actor = None,
    comment: str = "",
    change: Callable[[StoryMedia], None] | None = None,
) -> StoryMedia:
    """Move one media job along ``MEDIA_TRANSITIONS`` and write the audit entry.

    ``change`` sets the fields that go with the step on the locked row. Raises
    ``StoryMedia.DoesNotExist`` for a missing row and ``ConflictError`` when the job's state
    does not allow ``action`` (a job still transcoding cannot be run again).
    """
    allowed_from, target = MEDIA_TRANSITIONS[action]
    with transaction.atomic():
        media = StoryMedia.objects.select_for_update().select_related("story").get(pk=media_id)
        before = media.state
        allowed = before in allowed_from or (action == "rerun" and media_is_lost(media))
        if not allowed:
            raise ConflictError(
                _("Die Verarbeitung des Videos läuft noch; bitte warten Sie, bis sie fertig ist.")
                if before in RUNNING
                else _("Das Video kann jetzt nicht in diesen Zustand wechseln."),
                extra={"state": before, "action": action},
            )
        media.state = target
        if change is not None:
            change(media)
        media.save()
        after: dict[str, Any] = {"media": media.pk, "state": target}
        if media.failure_code:
            after["code"] = media.failure_code
        audit_record(
            action=AUDIT_ACTIONS.get(action, f"stories.media.{action}"),
            story=media.story,
            actor=actor,
            comment=comment,
            before={"media": media.pk, "state": before},
            after=after,
        )
        if M.READY in (before, target):
            transaction.on_commit(public_content_changed)
    return media


def media_enqueue(media_id: int) -> None:
    """Queue the clean-up of the original (default queue, at once) and the processing
    (transcode queue); if Redis is down the row stays "waiting" for the reconciler."""
    enqueue("workers.tasks.media.strip_original", media_id)
    enqueue("workers.tasks.media.process_media", media_id)


def media_rerun(*, media_id: int, actor: Actor) -> StoryMedia:
    """Run processing again (a moderator's request): produce whatever is missing.

    Raises ``ConflictError`` while the job is probing or transcoding (unless it is lost).
    """

    def reset(media: StoryMedia) -> None:
        media.failure_code = media.failure_message = media.technical_detail = ""
        media.enqueued_at = timezone.now()

    with transaction.atomic():
        media = media_transition(media_id=media_id, action="rerun", actor=actor, change=reset)
        transaction.on_commit(partial(media_enqueue, media.pk))
    return media


def media_start(*, media_id: int) -> StoryMedia | None:
    """Claim a media job for a worker; None when it is gone, replaced or already done."""

    def claim(media: StoryMedia) -> None:
        media.attempts += 1
        media.started_at = timezone.now()

    with transaction.atomic():
        media = StoryMedia.objects.select_for_update().filter(pk=media_id).first()
        if media is None or not media.is_current:
            return None
        if media.state not in MEDIA_TRANSITIONS["start"][0]:
            return None
        return media_transition(media_id=media_id, action="start", change=claim)


def media_record_probe(*, media_id: int, probe: dict[str, Any]) -> None:
    """Keep what ffprobe found (the moderation view shows it); the state stays."""
    StoryMedia.objects.filter(pk=media_id).update(probe=probe)


def media_transcoding(*, media_id: int) -> StoryMedia:
    """The file passed its checks: the worker now writes master, preview and poster."""
    return media_transition(media_id=media_id, action="transcode")


def media_postpone(*, media_id: int) -> StoryMedia:
    """Not enough disk space: back to waiting until the task's retry."""
    return media_transition(media_id=media_id, action="postpone")


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
    StoryMedia.objects.filter(pk=media_id, state=M.TRANSCODING).update(
        progress_percent=round(percent, 1), eta_seconds=eta_seconds
    )


def media_complete(*, media_id: int, keys: dict[str, str], summary: dict[str, Any]) -> StoryMedia:
    """Master, preview and poster are stored: the job is ready."""

    def finish(media: StoryMedia) -> None:
        media.master_key = keys.get("master", media.master_key)
        media.preview_key = keys.get("preview", media.preview_key)
        media.poster_key = keys.get("poster", media.poster_key)
        media.summary = summary
        media.progress_percent = 100
        media.eta_seconds = 0
        media.finished_at = timezone.now()

    return media_transition(media_id=media_id, action="ready", change=finish)


def media_fail(*, media_id: int, code: str, message: str, technical: str = "") -> StoryMedia:
    """Processing failed in a way a person must act on; the story stays editable."""

    def record(media: StoryMedia) -> None:
        media.failure_code = code
        media.failure_message = message
        media.technical_detail = technical[-4000:]
        media.finished_at = timezone.now()

    return media_transition(media_id=media_id, action="fail", comment=message, change=record)


def media_find_stuck(now: Any) -> list[int]:
    """Media jobs waiting or running far longer than any job should (lost or crashed)."""
    stuck = StoryMedia.objects.filter(media_stuck_q(now), is_current=True)
    return list(stuck.values_list("pk", flat=True))
