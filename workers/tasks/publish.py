"""YouTube publishing on the ``publish`` queue: upload, thumbnail, playlists, polls, takedown.

The tasks are thin and idempotent: they take ids, let the services claim and change the row,
and call the client library. The database row is the source of truth: a redelivered task
resumes the stored upload session, and a second delivery finds the claim or the video id and
does nothing. Follow-up tasks go to the queue the current one came from.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from publishing.youtube import publish_steps as flow
from workers.reconcile import JobKind, register

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
CHUNK_GRANULARITY = 256 * 1024
MAX_TRANSIENT_RETRIES = 6
POLL_FIRST_SECONDS = 1.0
POLL_MAX_SECONDS = 300.0
MAX_POLLS = 400  # about a day and a half at the longest interval


def _queue_of(task: Any) -> dict[str, Any]:
    """Send follow-ups where this message came from (``publish`` unless a test moved it)."""
    info = getattr(task.request, "delivery_info", None) or {}
    queue = info.get("routing_key")
    return {"queue": queue} if queue else {}


def _retry_countdown(attempt: int, *, base: float = 30.0, cap: float = 900.0) -> float:
    from publishing.youtube.api import backoff_delay

    return backoff_delay(attempt + 1, base=base, cap=cap)


# --- Publishing ---------------------------------------------------------------------------
@shared_task(
    name="workers.tasks.publish.publish_story",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_TRANSIENT_RETRIES,
    soft_time_limit=settings.CELERY_LONGEST_HARD_LIMIT - 120,
    time_limit=settings.CELERY_LONGEST_HARD_LIMIT,
    ignore_result=True,
)
def publish_story(self: Any, publication_id: int) -> None:
    """Upload the story's video (resuming a stored session), attach thumbnail, captions and
    playlists, then schedule the processing poll. Idempotent.

    Quota exhausted: waits until midnight Pacific (re-scheduled with ``eta``). Channel grant
    refused: pauses and e-mails the admins. YouTube refused the content: fails with a
    message for the publisher. Network or YouTube trouble: retried with backoff, bounded.
    """
    from publishing.youtube import messages, services
    from publishing.youtube.api import (
        PublishRejected,
        QuotaExhausted,
        ReconnectRequired,
        TransientYouTubeError,
        VideoNotFound,
        YouTubeApiError,
    )

    worker = services.worker_name()
    publication = services.publication_claim(publication_id=publication_id, worker=worker)
    if publication is None:
        logger.info("publication %s: nothing to do", publication_id)
        return
    client: flow.Client | None = None
    started = time.monotonic()
    try:
        client = flow.Client()
        if not publication.video_id:
            flow.upload(publication_id, client, worker)
            logger.info("publication %s: uploaded in %.1fs", publication_id, flow.since(started))
        flow.extras(publication_id, client, worker)
        logger.info("publication %s: extras done after %.1fs", publication_id, flow.since(started))
        services.publication_release(publication_id=publication_id, worker=worker)
        poll_processing.apply_async(
            (publication_id,), countdown=POLL_FIRST_SECONDS, **_queue_of(self)
        )
    except services.PublicationCancelled:
        logger.info("publication %s: cancelled while working on it", publication_id)
    except QuotaExhausted as error:
        services.quota_note_refusal(error)
        services.publication_wait_for_quota(
            publication_id=publication_id, resume_at=error.resume_at, reason=str(error)
        )
        publish_story.apply_async((publication_id,), eta=error.resume_at, **_queue_of(self))
    except ReconnectRequired as error:
        services.channel_mark_reconnect_required(reason=str(error))
        services.publication_pause(publication_id=publication_id, reason=str(error))
    except PublishRejected as error:
        services.publication_fail(
            publication_id=publication_id, reason=error.message_for_publisher, technical=str(error)
        )
    except VideoNotFound as error:
        services.publication_fail(
            publication_id=publication_id,
            reason=messages.video_gone(),
            technical=str(error),
        )
    except YouTubeApiError as error:
        services.publication_fail(
            publication_id=publication_id,
            reason=messages.youtube_refused(error),
            technical=str(error),
        )
    except (TransientYouTubeError, SoftTimeLimitExceeded, OSError) as error:
        services.publication_release(publication_id=publication_id, worker=worker, error=str(error))
        if self.request.retries >= MAX_TRANSIENT_RETRIES:
            services.publication_fail(
                publication_id=publication_id,
                reason=messages.kept_failing(),
                technical=str(error),
            )
            return
        # The saved session lets the next attempt resume from the confirmed offset.
        raise self.retry(exc=error, countdown=_retry_countdown(self.request.retries)) from error
    finally:
        if client is not None:
            client.persist_token()
        services.publication_release(publication_id=publication_id, worker=worker)


@shared_task(
    name="workers.tasks.publish.poll_processing",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_TRANSIENT_RETRIES,
    ignore_result=True,
)
def poll_processing(self: Any, publication_id: int) -> None:
    """Ask YouTube whether it finished processing the video; schedule the next poll if not.

    Succeeded: the publication and the story are published. Failed or rejected by YouTube:
    the publication fails with YouTube's reason.
    """
    from publishing.youtube import messages, selectors, services
    from publishing.youtube.api import (
        QuotaExhausted,
        ReconnectRequired,
        TransientYouTubeError,
        VideoNotFound,
        get_processing_status,
    )
    from publishing.youtube.models import Publication

    publication = Publication.objects.filter(pk=publication_id).first()
    if publication is None or publication.status != Publication.Status.PROCESSING:
        return
    if not publication.steps_done:
        return  # the publish task attaches the extras first, then polls again
    client: flow.Client | None = None
    try:
        selectors.quota_check(method="videos.list")
        client = flow.Client()
        state, detail = get_processing_status(
            youtube=client.youtube,
            video_id=publication.video_id,
            record_call=flow.recorder(publication_id),
        )
    except QuotaExhausted as error:
        services.quota_note_refusal(error)
        services.publication_wait_for_quota(
            publication_id=publication_id, resume_at=error.resume_at, reason=str(error)
        )
        publish_story.apply_async((publication_id,), eta=error.resume_at, **_queue_of(self))
        return
    except ReconnectRequired as error:
        services.channel_mark_reconnect_required(reason=str(error))
        return
    except VideoNotFound as error:
        services.publication_fail(
            publication_id=publication_id,
            reason=messages.video_gone(),
            technical=str(error),
        )
        return
    except TransientYouTubeError as error:
        raise self.retry(exc=error, countdown=_retry_countdown(self.request.retries)) from error
    finally:
        if client is not None:
            client.persist_token()
    polls = services.publication_poll_recorded(publication_id=publication_id)
    if state == "succeeded":
        services.publication_published(publication_id=publication_id)
    elif state in ("failed", "rejected"):
        services.publication_fail(
            publication_id=publication_id,
            reason=messages.processing_refused(state, detail),
            technical=f"{state}: {detail}",
        )
    elif polls >= MAX_POLLS:
        services.publication_fail(
            publication_id=publication_id,
            reason=messages.processing_too_long(),
        )
    else:
        countdown = min(POLL_MAX_SECONDS, POLL_FIRST_SECONDS * 2 ** min(polls, 12))
        poll_processing.apply_async((publication_id,), countdown=countdown, **_queue_of(self))


# --- Takedown -----------------------------------------------------------------------------
@shared_task(
    name="workers.tasks.publish.takedown_story",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # bounded below by publishing.youtube.takedown.MAX_RETRIES, with a record
    ignore_result=True,
)
def takedown_story(self: Any, story_id: int) -> None:
    """Make the story's video private (or delete it) first, then clean up its playlists.

    Idempotent. Each step's outcome is recorded on the publication (see ``takedown``).
    A failing first step retries with backoff, at most MAX_RETRIES times per run (the
    reconciler starts a new run later); quota at midnight Pacific; a refused grant after the
    channel is reconnected. Admins are e-mailed by ``takedown_watch`` after 15 minutes.
    """
    from publishing.youtube import services
    from publishing.youtube import takedown as steps
    from publishing.youtube.api import QuotaExhausted, ReconnectRequired, YouTubeError

    publication = services.publication_takedown_begin(
        story_id=story_id, reason="The story was withdrawn or taken down."
    )
    if publication is None:
        return
    client: flow.Client | None = None
    try:
        video_id = publication.video_id
        if not video_id and publication.session_uri:
            if publication.claimed_by:
                # An upload is stopping at its next chunk; look again when it has let go.
                raise self.retry(countdown=10, **_queue_of(self))
            client = flow.Client()
            video_id = flow.finished_session_video(client, publication)
            if video_id:
                services.publication_set_video(publication_id=publication.pk, video_id=video_id)
        if not video_id:
            services.publication_taken_down(
                publication_id=publication.pk, comment="Nothing was published on YouTube."
            )
            return
        client = client or flow.Client()
        record = flow.recorder(publication.pk)
        result = steps.video_step(
            publication=publication, youtube=client.youtube, video_id=video_id, record=record
        )
        # The video is unreachable now (recorded); clean-up failures do not hold that back.
        left = steps.cleanup_steps(
            publication=publication, youtube=client.youtube, video_id=video_id, record=record
        )
        services.publication_taken_down(
            publication_id=publication.pk, comment=f"YouTube video {video_id}: {result.outcome}"
        )
        if left:
            takedown_cleanup.apply_async(
                (publication.pk,), countdown=steps.retry_countdown(0), **_queue_of(self)
            )
    except QuotaExhausted as error:
        services.quota_note_refusal(error)
        services.publication_takedown_wait(
            publication_id=publication.pk, resume_at=error.resume_at, reason=str(error)
        )
        takedown_story.apply_async((story_id,), eta=error.resume_at, **_queue_of(self))
    except ReconnectRequired as error:
        # Reconnecting the channel enqueues every pending takedown again.
        services.channel_mark_reconnect_required(reason=str(error))
    except (YouTubeError, OSError) as error:
        if self.request.retries >= steps.MAX_RETRIES:
            logger.error("takedown of story %s: giving up this run: %s", story_id, error)
            return  # recorded on the row; the reconciler starts a new run later
        countdown = steps.retry_countdown(self.request.retries)
        raise self.retry(exc=error, countdown=countdown, **_queue_of(self)) from error
    finally:
        if client is not None:
            client.persist_token()


@shared_task(
    name="workers.tasks.publish.takedown_cleanup",
    bind=True,
    acks_late=True,
    max_retries=5,
    ignore_result=True,
)
def takedown_cleanup(self: Any, publication_id: int) -> None:
    """Retry the playlist clean-up of a takedown that already reached YouTube (bounded)."""
    from publishing.youtube import takedown as steps
    from publishing.youtube.api import YouTubeError
    from publishing.youtube.models import Publication

    publication = Publication.objects.select_related("story").filter(pk=publication_id).first()
    if publication is None or not publication.video_id or not publication.takedown_reached_at:
        return
    client: flow.Client | None = None
    try:
        client = flow.Client()
        failed = steps.cleanup_steps(
            publication=publication,
            youtube=client.youtube,
            video_id=publication.video_id,
            record=flow.recorder(publication_id),
        )
    except (YouTubeError, OSError) as error:
        logger.warning("takedown clean-up of publication %s: %s", publication_id, error)
        return
    finally:
        if client is not None:
            client.persist_token()
    if failed and self.request.retries < 5:
        raise self.retry(countdown=steps.retry_countdown(self.request.retries + 1))


@shared_task(name="workers.tasks.publish.takedown_watch", ignore_result=True)
def takedown_watch() -> None:
    """Beat: e-mail the campaign admins about takedowns not on YouTube after 15 minutes."""
    from publishing.youtube import takedown as steps

    alerted = steps.alert_overdue()
    if alerted:
        logger.error("takedowns overdue, admins e-mailed: %s", alerted)


@shared_task(name="workers.tasks.publish.reconcile_youtube", ignore_result=True)
def reconcile_youtube() -> None:
    """Beat: read our videos and playlists back from YouTube (``publishing.youtube.truth``)."""
    from publishing.youtube import selectors, services, truth
    from publishing.youtube.api import QuotaExhausted, ReconnectRequired, YouTubeError

    if not selectors.channel_is_connected():
        return
    client: flow.Client | None = None
    try:
        selectors.quota_check(method="videos.list")
        client = flow.Client()
        record = flow.recorder_for(None)
        found = truth.reconcile_videos(youtube=client.youtube, record=record)
        gone = truth.reconcile_playlists(youtube=client.youtube, record=record)
        logger.info("YouTube reconciliation: %s, playlists gone: %s", found, gone)
    except QuotaExhausted as error:
        services.quota_note_refusal(error)
    except ReconnectRequired as error:
        services.channel_mark_reconnect_required(reason=str(error))
    except YouTubeError as error:
        logger.warning("YouTube reconciliation failed: %s", error)
    finally:
        if client is not None:
            client.persist_token()


# --- Enqueueing and the reconciler --------------------------------------------------------
def enqueue_publication(publication_id: int) -> None:
    """Send the right task for the publication's state (upload or poll)."""
    from publishing.youtube import services
    from publishing.youtube.models import Publication

    publication = Publication.objects.filter(pk=publication_id).first()
    if publication is None:
        return
    services.publication_mark_enqueued(publication_id=publication_id)
    if publication.status == Publication.Status.PROCESSING and publication.steps_done:
        poll_processing.delay(publication_id)
    else:
        publish_story.delay(publication_id)


def _find_stuck_publications(now: Any) -> list[int]:
    from publishing.youtube.selectors import publication_find_stuck

    return publication_find_stuck(now)


def _find_stuck_takedowns(now: Any) -> list[int]:
    from publishing.youtube.selectors import takedown_find_stuck

    return takedown_find_stuck(now)


def _enqueue_takedown_marked(story_id: int) -> None:
    from publishing.youtube.models import Publication

    Publication.objects.filter(story_id=story_id).update(enqueued_at=_now())
    takedown_story.delay(story_id)


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


register(
    JobKind(name="publication", find_stuck=_find_stuck_publications, enqueue=enqueue_publication)
)
register(
    JobKind(
        name="publication-takedown",
        find_stuck=_find_stuck_takedowns,
        enqueue=_enqueue_takedown_marked,
    )
)
