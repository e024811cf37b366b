"""The decisions on a story: approve (four-eyes), reject, request changes, take down, publish."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ConflictError
from publishing.youtube import services as youtube_services
from stories.audit import audit_record
from stories.models import Story
from stories.services import story_transition

from ..models import Approval, RejectionReason
from ..permissions import story_ensure_action
from .common import approvals_needed, drop_claim, locked_story, notify_after_commit, review_of

S = Story.Status

# The approval checklist: every item must be ticked before a story can be approved.
CHECKLIST = (
    "consents_complete",
    "people_consented",
    "no_third_party_material",
    "nobody_endangered",
    "guardian_confirmed",
)


def story_approve(
    *,
    story_id: int,
    actor: Any,
    checklist: Iterable[str],
    comment: str = "",
    expected_status: str | None = None,
) -> Story:
    """Approve; with four-eyes on, the first approval waits for a second moderator.

    Raises 400 when the checklist is not complete, 409 when the story was decided
    meanwhile or the actor approved already (the database refuses a second approval too).
    """
    ticked = set(checklist)
    missing = [item for item in CHECKLIST if item not in ticked]
    if missing:
        raise ValidationError(
            {"checklist": [_("Bitte haken Sie alle Punkte der Prüfliste ab.")]},
        )
    with transaction.atomic():
        story = locked_story(story_id)
        story_ensure_action(story, actor, "approve", expected_status=expected_status)
        review = review_of(story)
        review.checklist = {
            "items": list(CHECKLIST),
            "by": actor.get_username(),
            "at": timezone.now().isoformat(),
        }
        review.save()
        try:
            with transaction.atomic():
                Approval.objects.create(story=story, moderator=actor)
        except IntegrityError as exc:
            raise ConflictError(_("Sie haben dieser Geschichte schon zugestimmt.")) from exc
        needed = approvals_needed()
        given = Approval.objects.filter(story=story, superseded=False).count()
        drop_claim(story)
        if given < needed:
            audit_record(
                action="moderation.story.approve_first",
                story=story,
                actor=actor,
                comment=comment,
                after={"approvals": given, "required": needed},
            )
            return story
        story = story_transition(
            story_id=story.pk,
            allowed_from=[S.IN_REVIEW],
            to=S.APPROVED,
            action="moderation.story.approve",
            actor=actor,
            comment=comment,
            changes={"decision_reason": "", "change_request": ""},
        )
        notify_after_commit(story, "approved")
    return story


def rejection_text(*, reason: RejectionReason | None, free_text: str, language: str) -> str:
    """What the submitter reads: the template in their language, then the moderator's words."""
    parts = [reason.text_for(language)] if reason else []
    if free_text.strip():
        parts.append(free_text.strip())
    return "\n\n".join(parts)


def story_reject(
    *,
    story_id: int,
    actor: Any,
    reason_code: str = "",
    free_text: str = "",
    expected_status: str | None = None,
) -> Story:
    """Reject with a reason template (sent in the submitter's language) and/or free text."""
    reason = None
    if reason_code:
        reason = (
            RejectionReason.objects.prefetch_related("texts")
            .filter(code=reason_code, is_active=True)
            .first()
        )
        if reason is None:
            raise ValidationError({"reason": [_("Diesen Ablehnungsgrund gibt es nicht.")]})
    if reason is None and not free_text.strip():
        raise ValidationError({"reason": [_("Bitte nennen Sie einen Grund.")]})
    if len(free_text) > 4000:
        raise ValidationError({"free_text": [_("Höchstens %(n)d Zeichen.") % {"n": 4000}]})
    with transaction.atomic():
        story = locked_story(story_id)
        story_ensure_action(story, actor, "reject", expected_status=expected_status)
        text = rejection_text(reason=reason, free_text=free_text, language=story.language)
        Approval.objects.filter(story=story, superseded=False).update(superseded=True)
        drop_claim(story)
        story = story_transition(
            story_id=story.pk,
            allowed_from=[S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED],
            to=S.REJECTED,
            action="moderation.story.reject",
            actor=actor,
            comment=f"[{reason.code}] {free_text}".strip() if reason else free_text.strip(),
            changes={"decision_reason": text},
        )
        notify_after_commit(story, "rejected")
    return story


def story_request_changes(
    *, story_id: int, actor: Any, message: str, expected_status: str | None = None
) -> Story:
    """Ask the submitter for changes; their answer returns the story to review, revised.

    Approvals given so far no longer count: the story will change.
    """
    message = message.strip()
    if not message:
        raise ValidationError({"message": [_("Bitte schreiben Sie, was geändert werden soll.")]})
    if len(message) > 4000:
        raise ValidationError({"message": [_("Höchstens %(n)d Zeichen.") % {"n": 4000}]})
    with transaction.atomic():
        story = locked_story(story_id)
        story_ensure_action(story, actor, "request_changes", expected_status=expected_status)
        Approval.objects.filter(story=story, superseded=False).update(superseded=True)
        drop_claim(story)
        story = story_transition(
            story_id=story.pk,
            allowed_from=[S.IN_REVIEW],
            to=S.CHANGES_REQUESTED,
            action="moderation.story.request_changes",
            actor=actor,
            comment=message,
            changes={"change_request": message},
        )
        notify_after_commit(story, "changes_requested")
    return story


def story_takedown(
    *, story_id: int, actor: Any, reason: str, expected_status: str | None = None
) -> Story:
    """Take an approved or published story down and ask publishing to remove the video."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Bitte nennen Sie einen Grund.")]})
    with transaction.atomic():
        story = locked_story(story_id)
        story_ensure_action(story, actor, "takedown", expected_status=expected_status)
        drop_claim(story)
        story = story_transition(
            story_id=story.pk,
            allowed_from=[S.APPROVED, S.PUBLISHED],
            to=S.TAKEN_DOWN,
            action="moderation.story.takedown",
            actor=actor,
            comment=reason,
            changes={"decision_reason": reason},
        )
        youtube_services.publication_takedown_request(story=story, actor=actor, reason=reason)
        notify_after_commit(story, "taken_down")
    return story


def story_publish(
    *,
    story_id: int,
    actor: Any,
    publish_at: datetime | None = None,
    expected_status: str | None = None,
) -> Story:
    """Hand an approved story to publishing (now or at ``publish_at``); it stays approved."""
    if publish_at is not None and publish_at < timezone.now() - timedelta(minutes=1):
        raise ValidationError({"publish_at": [_("Der Zeitpunkt liegt in der Vergangenheit.")]})
    with transaction.atomic():
        story = locked_story(story_id)
        story_ensure_action(story, actor, "publish", expected_status=expected_status)
        drop_claim(story)
        audit_record(
            action="moderation.story.publish_request",
            story=story,
            actor=actor,
            after={"publish_at": publish_at.isoformat() if publish_at else None},
        )
        youtube_services.publication_request(story=story, actor=actor, publish_at=publish_at)
    return story
