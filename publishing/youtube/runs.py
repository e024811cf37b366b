"""One run of each publish-queue job, callable without Celery: what the tasks used to decide.

Each run re-reads the row, does what is still missing and maps YouTube's answers onto the
publication's lifecycle. It returns what should happen next (``Next``); errors worth a retry
(``TRANSIENT``) propagate, so the task that called it owns the retry policy.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import Literal

from . import messages, selectors, services, truth
from . import publish_steps as flow
from . import takedown as steps
from .api import (
    PublishRejected,
    QuotaExhausted,
    ReconnectRequired,
    TransientYouTubeError,
    VideoNotFound,
    YouTubeApiError,
    YouTubeError,
    get_processing_status,
)
from .models import Publication

logger = logging.getLogger(__name__)

P = Publication.Status
# What a publish or poll task retries with backoff (the task adds its own time limit).
TRANSIENT: tuple[type[BaseException], ...] = (TransientYouTubeError, OSError)
# What a takedown run retries: anything YouTube or the network did, but quota and grant.
TAKEDOWN_TRANSIENT: tuple[type[BaseException], ...] = (YouTubeError, OSError)
POLL_FIRST_SECONDS = 1.0
POLL_MAX_SECONDS = 300.0
MAX_POLLS = 400  # about a day and a half at the longest interval
UPLOAD_RELEASED_WAIT = 10.0

Task = Literal["publish", "poll", "takedown", "cleanup"]


@dataclass(frozen=True)
class Next:
    """A follow-up: ``task`` with the same id, after ``countdown`` seconds or at ``eta``.

    ``retry`` asks the calling task to retry itself (it counts as an attempt).
    """

    task: Task | None = None
    item_id: int | None = None  # another id than the run's (the cleanup takes the publication)
    countdown: float | None = None
    eta: dt.datetime | None = None
    retry: bool = False


DONE = Next()


def _wait_for_quota(publication_id: int, error: QuotaExhausted) -> Next:
    services.quota_note_refusal(error)
    services.publication_wait_for_quota(
        publication_id=publication_id, resume_at=error.resume_at, reason=str(error)
    )
    return Next(task="publish", eta=error.resume_at)


def publish_run(*, publication_id: int) -> Next:
    """Upload the story's video (resuming a stored session), attach thumbnail, captions and
    playlists; next comes the processing poll. Idempotent.

    Quota exhausted: waits until midnight Pacific. Channel grant refused: pauses and e-mails
    the admins. YouTube refused the content: fails with a message for the publisher.
    TRANSIENT errors propagate after the claim is let go (the stored session resumes).
    """
    worker = services.worker_name()
    claimed = services.publication_claim(publication_id=publication_id, worker=worker)
    if claimed is None:
        logger.info("publication %s: nothing to do", publication_id)
        return DONE
    client: flow.Client | None = None
    started = time.monotonic()
    try:
        client = flow.Client()
        if not claimed.video_id:
            flow.upload(publication_id, client, worker)
            logger.info("publication %s: uploaded in %.1fs", publication_id, flow.since(started))
        flow.extras(publication_id, client, worker)
        logger.info("publication %s: extras done after %.1fs", publication_id, flow.since(started))
        return Next(task="poll", countdown=POLL_FIRST_SECONDS)
    except services.PublicationCancelled:
        logger.info("publication %s: cancelled while working on it", publication_id)
    except QuotaExhausted as error:
        return _wait_for_quota(publication_id, error)
    except ReconnectRequired as error:
        services.channel_mark_reconnect_required(reason=str(error))
        services.publication_pause(publication_id=publication_id, reason=str(error))
    except PublishRejected as error:
        services.publication_fail(
            publication_id=publication_id,
            code=messages.REJECTED,
            params={"reason": error.reason, "detail": error.message_for_publisher},
            technical=str(error),
        )
    except VideoNotFound as error:
        _fail(publication_id, messages.VIDEO_GONE, error)
    except YouTubeApiError as error:
        _fail(publication_id, messages.REFUSED, error, detail=str(error))
    except Exception as error:
        services.publication_release(publication_id=publication_id, worker=worker, error=str(error))
        raise
    finally:
        if client is not None:
            client.persist_token()
        services.publication_release(publication_id=publication_id, worker=worker)
    return DONE


def _fail(publication_id: int, code: str, error: BaseException, *, detail: str = "") -> None:
    services.publication_fail(
        publication_id=publication_id,
        code=code,
        params={"detail": detail} if detail else {},
        technical=str(error),
    )


def publish_gave_up(*, publication_id: int, error: BaseException) -> None:
    """The transient trouble outlasted every retry: the publication fails, in words."""
    _fail(publication_id, messages.KEPT_FAILING, error)


def poll_run(*, publication_id: int) -> Next:
    """Ask YouTube whether it finished processing the video; the next poll if not.

    Succeeded: the publication and the story are published. Failed or rejected by YouTube,
    or still processing after MAX_POLLS: the publication fails with the reason in words.
    """
    publication = Publication.objects.filter(pk=publication_id).first()
    if publication is None or publication.status != P.PROCESSING or not publication.steps_done:
        return DONE  # without the extras the publish task attaches them, then polls again
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
        return _wait_for_quota(publication_id, error)
    except ReconnectRequired as error:
        services.channel_mark_reconnect_required(reason=str(error))
        return DONE
    except VideoNotFound as error:
        _fail(publication_id, messages.VIDEO_GONE, error)
        return DONE
    finally:
        if client is not None:
            client.persist_token()
    polls = services.publication_poll_recorded(publication_id=publication_id)
    if state == "succeeded":
        services.publication_published(publication_id=publication_id)
    elif state in ("failed", "rejected"):
        services.publication_fail(
            publication_id=publication_id,
            code=messages.PROCESSING_REFUSED,
            params={"state": state, "detail": detail},
            technical=f"{state}: {detail}",
        )
    elif polls >= MAX_POLLS:
        services.publication_fail(publication_id=publication_id, code=messages.TOO_LONG)
    else:
        return Next(
            task="poll", countdown=min(POLL_MAX_SECONDS, POLL_FIRST_SECONDS * 2 ** min(polls, 12))
        )
    return DONE


def takedown_run(*, story_id: int) -> Next:
    """Make the story's video private (or delete it) first, then clean up its playlists.

    Idempotent; each step's outcome is recorded on the publication (``takedown``). Quota:
    again at midnight Pacific. A refused grant: again after the channel is reconnected.
    TAKEDOWN_TRANSIENT errors propagate for the task to retry.
    """
    publication = services.publication_takedown_begin(story_id=story_id)
    if publication is None:
        return DONE
    client: flow.Client | None = None
    try:
        video_id = publication.video_id
        if not video_id and publication.session_uri:
            if publication.claimed_by:
                # An upload is stopping at its next chunk; look again when it has let go.
                return Next(task="takedown", countdown=UPLOAD_RELEASED_WAIT, retry=True)
            client = flow.Client()
            video_id = flow.finished_session_video(client, publication)
            if video_id:
                services.publication_set_video(publication_id=publication.pk, video_id=video_id)
        if not video_id:
            services.publication_taken_down(
                publication_id=publication.pk, comment=messages.nothing_on_youtube()
            )
            return DONE
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
            publication_id=publication.pk,
            comment=messages.video_taken_down(video_id, result.outcome),
        )
        if left:
            return Next(task="cleanup", item_id=publication.pk, countdown=steps.retry_countdown(0))
    except QuotaExhausted as error:
        services.quota_note_refusal(error)
        services.publication_takedown_wait(
            publication_id=publication.pk, resume_at=error.resume_at, reason=str(error)
        )
        return Next(task="takedown", eta=error.resume_at)
    except ReconnectRequired as error:
        # Reconnecting the channel enqueues every pending takedown again.
        services.channel_mark_reconnect_required(reason=str(error))
    finally:
        if client is not None:
            client.persist_token()
    return DONE


def takedown_cleanup_run(*, publication_id: int) -> bool:
    """Retry the playlist clean-up of a takedown that reached YouTube; True if some is left.

    YouTube or network trouble is logged and ends this run (the steps are recorded).
    """
    publication = Publication.objects.select_related("story").filter(pk=publication_id).first()
    if publication is None or not publication.video_id or not publication.takedown_reached_at:
        return False
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
        return False
    finally:
        if client is not None:
            client.persist_token()
    return bool(failed)


def reconcile_run() -> None:
    """Read our videos and playlists back from YouTube (``truth``); quiet on trouble."""
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
