"""YouTube publishing on the ``publish`` queue: upload, processing poll, takedown, reconcile.

Thin and idempotent: each task takes an id, calls one run of ``publishing.youtube.runs``
and owns the retry policy; the run says what follows. Follow-ups go to the queue the current
message came from.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from publishing.youtube import runs, selectors, services
from publishing.youtube import takedown as steps
from publishing.youtube.api import backoff_delay
from workers.reconcile import JobKind, register

logger = logging.getLogger(__name__)

MAX_TRANSIENT_RETRIES = 6
RETRIED: tuple[type[BaseException], ...] = (*runs.TRANSIENT, SoftTimeLimitExceeded)
LONG_TASK: dict[str, Any] = {"bind": True, "acks_late": True, "ignore_result": True}


def _queue_of(task: Any) -> dict[str, Any]:
    """Send follow-ups where this message came from (``publish`` unless a test moved it)."""
    info = getattr(task.request, "delivery_info", None) or {}
    queue = info.get("routing_key")
    return {"queue": queue} if queue else {}


def _retry_countdown(attempt: int) -> float:
    return backoff_delay(attempt + 1, base=30.0, cap=900.0)


def _follow(task: Any, item_id: int, step: runs.Next) -> None:
    if step.retry:
        raise task.retry(countdown=step.countdown, **_queue_of(task))
    follow = {
        "publish": publish_story,
        "poll": poll_processing,
        "takedown": takedown_story,
        "cleanup": takedown_cleanup,
    }
    if step.task is not None:
        timing = {"eta": step.eta} if step.eta else {"countdown": step.countdown}
        follow[step.task].apply_async((step.item_id or item_id,), **timing, **_queue_of(task))


@shared_task(
    name="workers.tasks.publish.publish_story",
    reject_on_worker_lost=True,
    max_retries=MAX_TRANSIENT_RETRIES,
    soft_time_limit=settings.CELERY_LONGEST_HARD_LIMIT - 120,
    time_limit=settings.CELERY_LONGEST_HARD_LIMIT,
    **LONG_TASK,
)
def publish_story(self: Any, publication_id: int) -> None:
    """Upload, attach the extras, then poll (``runs.publish_run``). Network or YouTube
    trouble: retried with backoff, bounded; then the publication fails in words."""
    try:
        step = runs.publish_run(publication_id=publication_id)
    except RETRIED as error:
        if self.request.retries >= MAX_TRANSIENT_RETRIES:
            runs.publish_gave_up(publication_id=publication_id, error=error)
            return
        # The saved session lets the next attempt resume from the confirmed offset.
        raise self.retry(exc=error, countdown=_retry_countdown(self.request.retries)) from error
    _follow(self, publication_id, step)


@shared_task(
    name="workers.tasks.publish.poll_processing",
    reject_on_worker_lost=True,
    max_retries=MAX_TRANSIENT_RETRIES,
    **LONG_TASK,
)
def poll_processing(self: Any, publication_id: int) -> None:
    """Ask YouTube whether processing finished (``runs.poll_run``); retried on trouble."""
    try:
        step = runs.poll_run(publication_id=publication_id)
    except runs.TRANSIENT as error:
        raise self.retry(exc=error, countdown=_retry_countdown(self.request.retries)) from error
    _follow(self, publication_id, step)


@shared_task(
    name="workers.tasks.publish.takedown_story",
    reject_on_worker_lost=True,
    max_retries=None,  # bounded below by publishing.youtube.takedown.MAX_RETRIES, with a record
    **LONG_TASK,
)
def takedown_story(self: Any, story_id: int) -> None:
    """Video private or deleted first, then the playlists (``runs.takedown_run``).

    A failing first step retries with backoff, at most MAX_RETRIES times per run (the
    reconciler starts a new run later); admins are e-mailed by ``takedown_watch``.
    """
    try:
        step = runs.takedown_run(story_id=story_id)
    except runs.TAKEDOWN_TRANSIENT as error:
        if self.request.retries >= steps.MAX_RETRIES:
            logger.error("takedown of story %s: giving up this run: %s", story_id, error)
            return  # recorded on the row; the reconciler starts a new run later
        countdown = steps.retry_countdown(self.request.retries)
        raise self.retry(exc=error, countdown=countdown, **_queue_of(self)) from error
    _follow(self, story_id, step)


@shared_task(name="workers.tasks.publish.takedown_cleanup", max_retries=5, **LONG_TASK)
def takedown_cleanup(self: Any, publication_id: int) -> None:
    """Retry the playlist clean-up of a takedown that already reached YouTube (bounded)."""
    left = runs.takedown_cleanup_run(publication_id=publication_id)
    if left and self.request.retries < 5:
        raise self.retry(countdown=steps.retry_countdown(self.request.retries + 1))


@shared_task(name="workers.tasks.publish.takedown_watch", ignore_result=True)
def takedown_watch() -> None:
    """Beat: e-mail the campaign admins about takedowns not on YouTube after 15 minutes."""
    alerted = steps.alert_overdue()
    if alerted:
        logger.error("takedowns overdue, admins e-mailed: %s", alerted)


@shared_task(name="workers.tasks.publish.reconcile_youtube", ignore_result=True)
def reconcile_youtube() -> None:
    """Beat: read our videos and playlists back from YouTube (``runs.reconcile_run``)."""
    runs.reconcile_run()


register(
    JobKind(
        name="publication",
        find_stuck=selectors.publication_find_stuck,
        enqueue=services.publication_enqueue,
    )
)
register(
    JobKind(
        name="publication-takedown",
        find_stuck=selectors.takedown_find_stuck,
        enqueue=services.takedown_enqueue_marked,
    )
)
