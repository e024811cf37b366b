"""Claims: who works on a story right now (take, renew, release, take over)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from stories.audit import audit_record

from ..models import Claim
from ..permissions import story_ensure_action
from .common import claim_until, drop_claim, locked_story, renew_if_holder


def claim_take(*, story_id: int, actor: Any) -> Claim:
    """Hold a story for ``MODERATION_CLAIM_MINUTES``; a second call by the holder renews.

    Raises 409 while someone else holds it (a publisher may ``claim_takeover``).
    """
    with transaction.atomic():
        story = locked_story(story_id)
        current = Claim.objects.filter(story=story).first()
        if current and current.holder_id == actor.pk and current.is_active:
            current.expires_at = claim_until()
            current.save(update_fields=["expires_at"])
            return current
        story_ensure_action(story, actor, "claim")
        before = {"holder": current.holder.get_username()} if current else {}
        drop_claim(story)
        claim = Claim.objects.create(story=story, holder=actor, expires_at=claim_until())
        audit_record(
            action="moderation.claim.take",
            story=story,
            actor=actor,
            before=before,
            after={"holder": actor.get_username(), "expires_at": claim.expires_at.isoformat()},
        )
    return claim


def claim_renew(*, story_id: int, actor: Any) -> Claim | None:
    """Activity by the holder: extend the claim. None when the actor holds nothing."""
    with transaction.atomic():
        story = locked_story(story_id)
        renew_if_holder(story, actor)
        return Claim.objects.filter(story=story, holder=actor).first()


def claim_release(*, story_id: int, actor: Any) -> None:
    """The holder lets go, so others can work on the story."""
    with transaction.atomic():
        story = locked_story(story_id)
        story_ensure_action(story, actor, "release")
        drop_claim(story)
        audit_record(
            action="moderation.claim.release",
            story=story,
            actor=actor,
            before={"holder": actor.get_username()},
        )


def claim_takeover(*, story_id: int, actor: Any) -> Claim:
    """A publisher takes over a story another moderator holds."""
    with transaction.atomic():
        story = locked_story(story_id)
        story_ensure_action(story, actor, "takeover")
        previous = Claim.objects.select_related("holder").get(story=story)
        before = {"holder": previous.holder.get_username()}
        drop_claim(story)
        claim = Claim.objects.create(story=story, holder=actor, expires_at=claim_until())
        audit_record(
            action="moderation.claim.takeover",
            story=story,
            actor=actor,
            before=before,
            after={"holder": actor.get_username()},
        )
    return claim
