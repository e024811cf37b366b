"""Writes for a publication's way onto YouTube: request, claim, upload state, outcome.

Every status change goes through ``lifecycle.publication_transition`` (one table, one audit
entry each). The publish task claims the row for one worker process (``host:pid``) and proves
it is alive with a heartbeat; a lost claim stops the upload (PublicationCancelled).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kernel.errors import ConflictError
from stories.audit import audit_record
from stories.models import Story
from stories.transitions import can_transition, story_transition

from ..lifecycle import ACTIVE, Actor, publication_open, publication_transition
from ..messages import failure_text
from ..models import Publication, YouTubeChannel
from .channel import channel_get
from .metadata import publication_compose_metadata
from .queue import publication_enqueue, takedown_enqueue
from .takedown import begin_takedown, story_not_approved_text

P = Publication.Status
S = Story.Status


class PublicationCancelled(Exception):
    """The worker lost its claim on the publication (taken down or taken over meanwhile)."""


def worker_name() -> str:
    """Who holds an upload: ``host:pid`` of the current process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def publication_request(
    *, story: Story, actor: Actor, publish_at: dt.datetime | None = None
) -> Publication:
    """Queue an approved story for YouTube; the publish task does the rest.

    Asking again for a story already on its way changes nothing and returns its publication;
    a failed publication is queued again. ``publish_at`` schedules the public release (the
    video is uploaded private and YouTube publishes it then). Raises ConflictError when the
    story is not approved (or its video was refused by YouTube) and ValidationError for a
    ``publish_at`` in the past.
    """
    if publish_at is not None and publish_at <= timezone.now():
        raise ValidationError({"publish_at": [_("Der Zeitpunkt liegt in der Vergangenheit.")]})
    with transaction.atomic():
        locked_story = Story.objects.select_for_update().get(pk=story.pk)
        if locked_story.status != S.APPROVED:
            raise ConflictError(
                _("Nur freigegebene Geschichten können veröffentlicht werden."),
                extra={"status": locked_story.status},
            )
        existing = Publication.objects.select_for_update().filter(story=locked_story).first()
        if existing is not None and existing.status != P.FAILED:
            return existing
        if existing is not None:
            if existing.video_id:
                raise ConflictError(
                    _(
                        "YouTube hat das Video abgelehnt. Es muss erst entfernt werden, bevor "
                        "es erneut hochgeladen werden kann."
                    ),
                    extra={"status": existing.status},
                )
            metadata = existing.metadata
            if publish_at != existing.publish_at:
                metadata = publication_compose_metadata(story=locked_story, publish_at=publish_at)
            publication = publication_transition(
                publication_id=existing.pk,
                to=P.QUEUED,
                action="publishing.publication.queued",
                actor=actor,
                comment=_("erneut eingereiht"),
                changes={
                    "metadata": metadata,
                    "publish_at": publish_at,
                    "failure_reason": "",
                    "failure_code": "",
                    "failure_params": {},
                    "resume_at": None,
                    "enqueued_at": timezone.now(),
                    "requested_by": actor if actor and actor.is_authenticated else None,
                },
            )
        else:
            publication = publication_open(
                story=locked_story,
                actor=actor,
                metadata=publication_compose_metadata(story=locked_story, publish_at=publish_at),
                publish_at=publish_at,
                enqueued_at=timezone.now(),
                audit_after={"publish_at": publish_at.isoformat() if publish_at else None},
            )
        transaction.on_commit(partial(publication_enqueue, publication.pk))
    return publication


def _claim_alive(publication: Publication, now: dt.datetime) -> bool:
    """Is the worker process named in the claim still working on it?"""
    host, _sep, pid_text = publication.claimed_by.rpartition(":")
    if host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid():
            return False  # this very process: an earlier run that did not end cleanly
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    heartbeat = publication.claim_heartbeat_at
    return heartbeat is not None and heartbeat > now - dt.timedelta(
        seconds=settings.JOB_STUCK_AFTER
    )


def publication_claim(*, publication_id: int, worker: str) -> Publication | None:
    """Let one worker process work on the publication; None when there is nothing to do.

    Nothing to do: the row is gone, finished, failed, waiting for quota until later, held by
    a live worker, already uploaded with everything attached, or the channel is paused. A
    story that left "approved" meanwhile gets its publication taken down instead.
    """
    now = timezone.now()
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update()
            .select_related("story")
            .filter(pk=publication_id)
            .first()
        )
        if publication is None or publication.status not in ACTIVE:
            return None
        if publication.status == P.PROCESSING and publication.steps_done:
            return None
        if (
            publication.status == P.WAITING_FOR_QUOTA
            and publication.resume_at is not None
            and publication.resume_at > now
        ):
            return None
        held_elsewhere = publication.claimed_by and publication.claimed_by != worker
        if held_elsewhere and _claim_alive(publication, now):
            return None
        channel = channel_get()
        if channel is None or channel.status != YouTubeChannel.Status.CONNECTED:
            return None
        if publication.story.status not in (S.APPROVED, S.PUBLISHED):
            begin_takedown(
                publication, actor=None, reason=story_not_approved_text(publication.story)
            )
            return None
        before = publication.status
        to = P.PROCESSING if publication.video_id else P.UPLOADING
        resumed = bool(publication.claimed_by) or before in (P.UPLOADING, P.PROCESSING)
        attempts = publication.attempts + 1
        return publication_transition(
            publication_id=publication_id,
            to=to,
            action="publishing.publication.resumed" if resumed else f"publishing.publication.{to}",
            comment=f"attempt {attempts} by {worker}",
            changes={
                "claimed_by": worker,
                "claim_heartbeat_at": now,
                "attempts": attempts,
                "started_at": publication.started_at or now,
                "resume_at": None,
            },
            audit_after={"confirmed_offset": publication.confirmed_offset},
        )


def publication_save_upload_state(
    *, publication_id: int, worker: str, session_uri: str | None, confirmed_offset: int, total: int
) -> None:
    """Persist the resumable session after every chunk, so a new worker resumes from here.

    Raises PublicationCancelled when this worker no longer holds the upload (a takedown was
    requested, or another worker took over), which stops the upload.
    """
    updated = Publication.objects.filter(
        pk=publication_id, claimed_by=worker, status=P.UPLOADING
    ).update(
        session_uri=session_uri or "",
        confirmed_offset=confirmed_offset,
        total_bytes=total,
        claim_heartbeat_at=timezone.now(),
    )
    if not updated:
        raise PublicationCancelled(f"publication {publication_id} is no longer held by {worker}")


def publication_heartbeat(*, publication_id: int, worker: str) -> None:
    """Prove the claim is alive between calls. Raises PublicationCancelled if it is lost."""
    updated = Publication.objects.filter(
        pk=publication_id, claimed_by=worker, status__in=[P.UPLOADING, P.PROCESSING]
    ).update(claim_heartbeat_at=timezone.now())
    if not updated:
        raise PublicationCancelled(f"publication {publication_id} is no longer held by {worker}")


def publication_uploaded(*, publication_id: int, worker: str, video_id: str) -> Publication:
    """YouTube has the whole file: remember the video id, move on to processing.

    If a takedown was requested during the last chunk the id is still kept (so the takedown
    can remove the video) and the takedown is enqueued again.
    """
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_id)
        if publication.video_id and publication.video_id != video_id:
            raise ConflictError(f"publication {publication_id} already has a video")
        if publication.status == P.TAKEDOWN_REQUESTED:
            publication.video_id = video_id
            publication.uploaded_at = timezone.now()
            publication.save()
            audit_record(
                action="publishing.publication.uploaded",
                story=publication.story,
                comment="uploaded while a takedown was requested",
                after={"video_id": video_id},
            )
            transaction.on_commit(partial(takedown_enqueue, publication.story_id))
            return publication
        if publication.status != P.UPLOADING or publication.claimed_by != worker:
            raise PublicationCancelled(f"publication {publication_id} is no longer held")
    return publication_transition(
        publication_id=publication_id,
        only_from=[P.UPLOADING],
        to=P.PROCESSING,
        action="publishing.publication.uploaded",
        changes={
            "video_id": video_id,
            "uploaded_at": timezone.now(),
            "confirmed_offset": publication.total_bytes,
            "last_error": "",
        },
    )


def publication_note_extra(
    *,
    publication_id: int,
    thumbnail_set: bool | None = None,
    captions_set: bool | None = None,
    playlist_id: str | None = None,
    forget_playlist_id: str | None = None,
    extras_done: bool | None = None,
    note: str = "",
) -> None:
    """Record that a thumbnail, caption track or playlist entry is in place (not a transition)."""
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_id)
        if thumbnail_set is not None:
            publication.thumbnail_set = thumbnail_set
        if captions_set is not None:
            publication.captions_set = captions_set
        if forget_playlist_id and forget_playlist_id != playlist_id:
            publication.playlists = [p for p in publication.playlists if p != forget_playlist_id]
        if playlist_id and playlist_id not in publication.playlists:
            publication.playlists = [*publication.playlists, playlist_id]
        if extras_done is not None:
            publication.extras_done = extras_done
        if note:
            publication.last_error = note[:4000]
        publication.claim_heartbeat_at = timezone.now()
        publication.save()


def publication_release(*, publication_id: int, worker: str, error: str = "") -> None:
    """The worker stops working on the publication (it ends, or will retry later)."""
    fields: dict[str, Any] = {"claimed_by": ""}
    if error:
        fields["last_error"] = error[:4000]
    Publication.objects.filter(pk=publication_id, claimed_by=worker).update(**fields)


def publication_wait_for_quota(
    *, publication_id: int, resume_at: dt.datetime, reason: str
) -> Publication | None:
    """YouTube's daily quota is used up: wait until ``resume_at`` (midnight Pacific)."""
    publication = Publication.objects.filter(pk=publication_id).first()
    if publication is None:
        return None
    if publication.status == P.TAKEDOWN_REQUESTED:
        Publication.objects.filter(pk=publication_id).update(
            resume_at=resume_at, last_error=reason, claimed_by=""
        )
        return publication
    return publication_transition(
        publication_id=publication_id,
        to=P.WAITING_FOR_QUOTA,
        action="publishing.publication.waiting_for_quota",
        comment=reason,
        changes={"resume_at": resume_at, "last_error": reason, "claimed_by": ""},
    )


def publication_pause(*, publication_id: int, reason: str) -> None:
    """The channel must be reconnected: let go of the publication, keeping everything.

    An upload in progress goes back to "queued" with its session, so it resumes from the
    confirmed offset after the reconnection.
    """
    with transaction.atomic():
        publication = Publication.objects.select_for_update().filter(pk=publication_id).first()
        if publication is None:
            return
        if publication.status == P.UPLOADING:
            publication_transition(
                publication_id=publication_id,
                to=P.QUEUED,
                action="publishing.publication.paused",
                comment=reason,
                changes={"claimed_by": "", "last_error": reason},
            )
        else:
            Publication.objects.filter(pk=publication_id).update(claimed_by="", last_error=reason)


def publication_fail(
    *,
    publication_id: int,
    reason: str = "",
    technical: str = "",
    code: str = "",
    params: dict[str, Any] | None = None,
) -> Publication:
    """YouTube refused the publication in a way a person must act on.

    Give the failure as ``code`` and ``params`` (``messages``; rendered in the reader's
    language) or, for a sentence that is already one, as ``reason``.
    """
    params = params or {}
    if code:
        with translation.override(settings.LANGUAGE_CODE):
            reason = failure_text(code, **params) or reason
    return publication_transition(
        publication_id=publication_id,
        to=P.FAILED,
        action="publishing.publication.failed",
        comment=reason,
        changes={
            "failure_reason": reason,
            "failure_code": code,
            "failure_params": params,
            "last_error": (technical or reason)[:4000],
            "failed_at": timezone.now(),
            "claimed_by": "",
        },
    )


def publication_poll_recorded(*, publication_id: int) -> int:
    """Count one processing poll; returns the number of polls so far."""
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_id)
        publication.polls += 1
        publication.last_polled_at = timezone.now()
        publication.save(update_fields=["polls", "last_polled_at", "updated_at"])
    return publication.polls


def publication_published(*, publication_id: int) -> Publication:
    """YouTube finished processing: the publication and its story are published.

    A story withdrawn or taken down meanwhile gets its video taken down instead.
    """
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update().select_related("story").get(pk=publication_id)
        )
        story = Story.objects.select_for_update().get(pk=publication.story_id)
        if story.status not in (S.APPROVED, S.PUBLISHED):
            begin_takedown(publication, actor=None, reason=story_not_approved_text(story))
            return publication
        published = publication_transition(
            publication_id=publication_id,
            to=P.PUBLISHED,
            action="publishing.publication.published",
            changes={
                "published_at": timezone.now(),
                "claimed_by": "",
                "last_error": "",
                # What YouTube plays: the privacy we uploaded with (the reconciliation
                # replaces it with what YouTube says later).
                "youtube_privacy": str(
                    (publication.metadata.get("status") or {}).get("privacyStatus", "private")
                ),
                "youtube_checked_at": timezone.now(),
            },
        )
        if can_transition(story, S.PUBLISHED):
            story_transition(
                story_id=story.pk,
                to=S.PUBLISHED,
                action="publishing.story.published",
                actor_fallback="system",
                comment=f"https://www.youtube.com/watch?v={published.video_id}",
            )
    return published
