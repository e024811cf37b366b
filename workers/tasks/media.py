"""Media processing tasks: thin wrappers around ``workers.media_jobs`` with the retry policy.

``strip_original`` runs on the ``default`` queue as soon as an upload becomes a story's video,
so that a backlog of transcodes never keeps a file with location or device tags in storage.
``process_media`` (``transcode`` queue) strips first too, so a job the reconciler re-enqueues
on its own is just as clean.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from stories.media_lifecycle import media_find_stuck
from workers import media_jobs
from workers.media import InsufficientDiskSpace
from workers.reconcile import JobKind, register


@shared_task(
    name="workers.tasks.media.process_media",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.CELERY_LONGEST_HARD_LIMIT - 120,
    time_limit=settings.CELERY_LONGEST_HARD_LIMIT,
    max_retries=5,
)
def process_media(self: Any, media_id: int) -> None:
    """Probe, validate and transcode one upload (``media_job_process``). Idempotent.

    A full disk is retried in five minutes; a soft time limit fails the media with a reason in
    words; a worker killed mid-run gets the job again and produces only what is missing.
    """
    try:
        media_jobs.media_job_process(media_id=media_id)
    except InsufficientDiskSpace as exc:
        raise self.retry(exc=exc, countdown=300) from exc
    except SoftTimeLimitExceeded:
        media_jobs.media_fail_timed_out(media_id=media_id)


@shared_task(
    name="workers.tasks.media.strip_original",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=1200,
    time_limit=1260,
)
def strip_original(media_id: int) -> None:
    """Remove location and device tags from a new upload now (``media_job_strip_original``)."""
    media_jobs.media_job_strip_original(media_id=media_id)


def _enqueue(media_id: int) -> None:
    process_media.delay(media_id)


register(JobKind(name="media", find_stuck=media_find_stuck, enqueue=_enqueue))
