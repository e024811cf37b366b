"""Writes for taking a story's video off YouTube: request, the task's start, the outcome.

The steps on YouTube (privacy first, then the playlists) are ``publishing.youtube.takedown``;
these services only move the publication through its lifecycle.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stories.audit import audit_record
from stories.models import Story

from ..lifecycle import GONE_STORY, TAKEDOWN, Actor, publication_transition
from ..messages import nothing_on_youtube, story_withdrawn
from ..models import Publication
from .queue import takedown_enqueue

P = Publication.Status
NOTHING_ACTION = "publishing.publication.takedown_nothing"


def begin_takedown(publication: Publication, *, actor: Actor, reason: str) -> bool:
    """Inside a transaction holding the row: mark it takedown_requested; True if it changed."""
    if publication.status in TAKEDOWN:
        return False
    publication_transition(
        publication_id=publication.pk,
        to=P.TAKEDOWN_REQUESTED,
        action="publishing.publication.takedown_requested",
        actor=actor,
        comment=reason,
        changes={
            "takedown_reason": reason,
            "takedown_requested_at": timezone.now(),
            "resume_at": None,
            "enqueued_at": timezone.now(),
        },
    )
    transaction.on_commit(partial(takedown_enqueue, publication.story_id))
    return True


def story_not_approved_text(story: Story) -> str:
    return _("Die Geschichte ist nicht mehr freigegeben (%(status)s).") % {
        "status": story.get_status_display()
    }


def publication_takedown_request(*, story: Story, actor: Actor, reason: str) -> Publication | None:
    """A moderator (or the submitter's withdrawal) takes the story's video off YouTube.

    Returns None, after recording that nothing was published, when the story never had a
    publication. The takedown task makes the video private or deletes it
    (``YOUTUBE_TAKEDOWN_MODE``) and retries until YouTube confirmed it.
    """
    with transaction.atomic():
        publication = Publication.objects.select_for_update().filter(story_id=story.pk).first()
        if publication is None:
            audit_record(
                action=NOTHING_ACTION,
                story=story,
                actor=actor,
                comment=reason or nothing_on_youtube(),
            )
            return None
        begin_takedown(publication, actor=actor, reason=reason)
        publication.refresh_from_db()
    return publication


def publication_takedown_begin(*, story_id: int, reason: str = "") -> Publication | None:
    """The takedown task's entry: the publication to take down, or None when nothing is left.

    Records "nothing was published" for a story without a publication. A publication whose
    story is still wanted (approved, published) is left alone: a stray message changes nothing.
    """
    reason = reason or story_withdrawn()
    with transaction.atomic():
        publication = Publication.objects.select_for_update().filter(story_id=story_id).first()
        if publication is None:
            story = Story.objects.filter(pk=story_id).first()
            if story is not None and not story.audit_entries.filter(action=NOTHING_ACTION).exists():
                audit_record(action=NOTHING_ACTION, story=story, comment=nothing_on_youtube())
            return None
        if publication.status == P.TAKEN_DOWN:
            return None
        if publication.status != P.TAKEDOWN_REQUESTED:
            story = Story.objects.get(pk=story_id)
            if story.status not in GONE_STORY:
                return None
            publication_transition(
                publication_id=publication.pk,
                to=P.TAKEDOWN_REQUESTED,
                action="publishing.publication.takedown_requested",
                comment=reason,
                changes={
                    "takedown_reason": reason,
                    "takedown_requested_at": timezone.now(),
                    "enqueued_at": timezone.now(),
                },
            )
        publication.refresh_from_db()
    return publication


def publication_set_video(*, publication_id: int, video_id: str) -> None:
    """The takedown found the video of an upload that completed unrecorded (crash)."""
    Publication.objects.filter(pk=publication_id, video_id="").update(video_id=video_id)


def publication_taken_down(*, publication_id: int, comment: str) -> Publication:
    """YouTube confirmed the takedown (or there was nothing on YouTube to take down)."""
    return publication_transition(
        publication_id=publication_id,
        to=P.TAKEN_DOWN,
        action="publishing.publication.taken_down",
        comment=comment,
        changes={"taken_down_at": timezone.now(), "resume_at": None, "claimed_by": ""},
    )


def publication_takedown_wait(*, publication_id: int, resume_at: dt.datetime, reason: str) -> None:
    """The takedown has to wait for the quota; it stays requested."""
    Publication.objects.filter(pk=publication_id, status=P.TAKEDOWN_REQUESTED).update(
        resume_at=resume_at, last_error=reason[:4000]
    )
