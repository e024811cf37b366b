"""Handing publications and takedowns to the ``publish`` queue, by task name (no worker import).

Call after commit. Never raises: if Redis is down the row says what is pending and the
reconciler enqueues it later.
"""

from __future__ import annotations

from django.utils import timezone

from kernel.queue import enqueue

from ..models import Publication

PUBLISH_TASK = "workers.tasks.publish.publish_story"
POLL_TASK = "workers.tasks.publish.poll_processing"
TAKEDOWN_TASK = "workers.tasks.publish.takedown_story"
CLEANUP_TASK = "workers.tasks.publish.takedown_cleanup"


def publication_mark_enqueued(*, publication_id: int) -> None:
    """Remember when the publication was last handed to the queue (for the reconciler)."""
    Publication.objects.filter(pk=publication_id).update(enqueued_at=timezone.now())


def publication_next_task(publication: Publication) -> str:
    """The task the publication's state needs next: the processing poll, or the upload."""
    if publication.status == Publication.Status.PROCESSING and publication.steps_done:
        return POLL_TASK
    return PUBLISH_TASK


def publication_enqueue(publication_id: int) -> None:
    """Send the right task for the publication's state (upload or poll)."""
    publication = Publication.objects.filter(pk=publication_id).first()
    if publication is None:
        return
    publication_mark_enqueued(publication_id=publication_id)
    enqueue(publication_next_task(publication), publication_id)


def takedown_enqueue(story_id: int) -> None:
    """Hand a takedown to the publish queue."""
    enqueue(TAKEDOWN_TASK, story_id)


def takedown_enqueue_marked(story_id: int) -> None:
    """The reconciler's re-send of a takedown: remember when, then enqueue."""
    Publication.objects.filter(story_id=story_id).update(enqueued_at=timezone.now())
    takedown_enqueue(story_id)
