"""What the moderation services share: the settings row, the locked story, claims, e-mail."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError
from kernel.queue import enqueue
from stories.models import Story

from ..models import Claim, ModerationSettings, Review


def moderation_settings_get() -> ModerationSettings:
    """The campaign's moderation rules (created with defaults on first use)."""
    obj, _created = ModerationSettings.objects.get_or_create(pk=1)
    return obj


def approvals_needed() -> int:
    """How many different moderators must approve a story: two with four-eyes on, else one."""
    return 2 if moderation_settings_get().four_eyes else 1


class StoryNotFoundError(ApplicationError):
    status_code = 404


def locked_story(story_id: int) -> Story:
    story = Story.objects.select_for_update().filter(pk=story_id).first()
    if story is None:
        raise StoryNotFoundError(_("Diese Geschichte gibt es nicht."), extra={"story": story_id})
    return story


def review_of(story: Story) -> Review:
    review, _created = Review.objects.get_or_create(story=story)
    return review


def claim_until() -> datetime:
    return timezone.now() + timedelta(minutes=settings.MODERATION_CLAIM_MINUTES)


def renew_if_holder(story: Story, actor: Any) -> None:
    Claim.objects.filter(story=story, holder=actor, expires_at__gt=timezone.now()).update(
        expires_at=claim_until()
    )


def drop_claim(story: Story) -> None:
    Claim.objects.filter(story=story).delete()


def _notify_submitter(story_id: int, decision: str) -> None:
    # The decision stands even when the broker is down; enqueue() logs what was not sent.
    enqueue("workers.tasks.moderation.send_decision_email", story_id, decision)


def notify_after_commit(story: Story, decision: str) -> None:
    if story.submitter_email:
        transaction.on_commit(partial(_notify_submitter, story.pk, decision))
