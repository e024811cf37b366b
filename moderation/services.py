"""Writes of the moderation workspace: claims, edits, notes, decisions, bulk actions.

Every service locks the story row (``select_for_update``), asks ``story_ensure_action``
on the locked row (403 / 409), changes what it must and writes exactly one audit entry in
the same transaction. E-mails to the submitter are enqueued after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.cache import public_content_changed
from kernel.errors import ApplicationError, ConflictError
from kernel.queue import enqueue
from publishing.youtube import services as youtube_services
from stories.audit import audit_record, diff
from stories.models import Region, Story, Topic
from stories.services import media_rerun, story_transition

from .models import Approval, Claim, InternalNote, ModerationSettings, RejectionReason, Review
from .permissions import PERM_REVIEW, story_ensure_action

logger = logging.getLogger(__name__)

S = Story.Status

# The approval checklist: every item must be ticked before a story can be approved.
CHECKLIST = (
    "consents_complete",
    "people_consented",
    "no_third_party_material",
    "nobody_endangered",
    "guardian_confirmed",
)
STORY_EDIT_FIELDS = ("title", "text", "region_id", "topic_id")
YOUTUBE_EDIT_FIELDS = ("youtube_title", "youtube_description", "youtube_tags")
EDIT_FIELDS = STORY_EDIT_FIELDS + YOUTUBE_EDIT_FIELDS


# --- Helpers ------------------------------------------------------------------------------
def moderation_settings_get() -> ModerationSettings:
    """The campaign's moderation rules (created with defaults on first use)."""
    obj, _created = ModerationSettings.objects.get_or_create(pk=1)
    return obj


def approvals_needed() -> int:
    """How many different moderators must approve a story: two with four-eyes on, else one."""
    return 2 if moderation_settings_get().four_eyes else 1


class StoryNotFoundError(ApplicationError):
    status_code = 404


def _locked(story_id: int) -> Story:
    story = Story.objects.select_for_update().filter(pk=story_id).first()
    if story is None:
        raise StoryNotFoundError(_("Diese Geschichte gibt es nicht."), extra={"story": story_id})
    return story


def _review(story: Story) -> Review:
    review, _created = Review.objects.get_or_create(story=story)
    return review


def _claim_until() -> datetime:
    return timezone.now() + timedelta(minutes=settings.MODERATION_CLAIM_MINUTES)


def _renew_if_holder(story: Story, actor: Any) -> None:
    Claim.objects.filter(story=story, holder=actor, expires_at__gt=timezone.now()).update(
        expires_at=_claim_until()
    )


def _drop_claim(story: Story) -> None:
    Claim.objects.filter(story=story).delete()


def _notify_submitter(story_id: int, decision: str) -> None:
    # The decision stands even when the broker is down; enqueue() logs what was not sent.
    enqueue("workers.tasks.moderation.send_decision_email", story_id, decision)


def _notify_after_commit(story: Story, decision: str) -> None:
    if story.submitter_email:
        transaction.on_commit(partial(_notify_submitter, story.pk, decision))


# --- Claims -------------------------------------------------------------------------------
def claim_take(*, story_id: int, actor: Any) -> Claim:
    """Hold a story for ``MODERATION_CLAIM_MINUTES``; a second call by the holder renews.

    Raises 409 while someone else holds it (a publisher may ``claim_takeover``).
    """
    with transaction.atomic():
        story = _locked(story_id)
        current = Claim.objects.filter(story=story).first()
        if current and current.holder_id == actor.pk and current.is_active:
            current.expires_at = _claim_until()
            current.save(update_fields=["expires_at"])
            return current
        story_ensure_action(story, actor, "claim")
        before = {"holder": current.holder.get_username()} if current else {}
        _drop_claim(story)
        claim = Claim.objects.create(story=story, holder=actor, expires_at=_claim_until())
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
        story = _locked(story_id)
        _renew_if_holder(story, actor)
        return Claim.objects.filter(story=story, holder=actor).first()


def claim_release(*, story_id: int, actor: Any) -> None:
    """The holder lets go, so others can work on the story."""
    with transaction.atomic():
        story = _locked(story_id)
        story_ensure_action(story, actor, "release")
        _drop_claim(story)
        audit_record(
            action="moderation.claim.release",
            story=story,
            actor=actor,
            before={"holder": actor.get_username()},
        )


def claim_takeover(*, story_id: int, actor: Any) -> Claim:
    """A publisher takes over a story another moderator holds."""
    with transaction.atomic():
        story = _locked(story_id)
        story_ensure_action(story, actor, "takeover")
        previous = Claim.objects.select_related("holder").get(story=story)
        before = {"holder": previous.holder.get_username()}
        _drop_claim(story)
        claim = Claim.objects.create(story=story, holder=actor, expires_at=_claim_until())
        audit_record(
            action="moderation.claim.takeover",
            story=story,
            actor=actor,
            before=before,
            after={"holder": actor.get_username()},
        )
    return claim


# --- Editing ------------------------------------------------------------------------------
def _clean_edit(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name in EDIT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").strip()
        clean[name] = value
    if "title" in clean and not (0 < len(clean["title"]) <= 120):
        errors["title"] = [_("Der Titel muss 1 bis 120 Zeichen lang sein.")]
    if "text" in clean and not (0 < len(clean["text"]) <= 5000):
        errors["text"] = [_("Die Geschichte muss 1 bis 5000 Zeichen lang sein.")]
    for name, model in (("region_id", Region), ("topic_id", Topic)):
        if name in clean:
            try:
                clean[name] = int(clean[name])
            except (TypeError, ValueError):
                clean[name] = None
            if clean[name] is None or not model.objects.filter(pk=clean[name]).exists():
                errors[name] = [_("Bitte wählen Sie einen Eintrag aus der Liste.")]
    if "youtube_title" in clean:
        if len(clean["youtube_title"]) > 100:
            errors["youtube_title"] = [_("Höchstens %(n)d Zeichen.") % {"n": 100}]
        elif "<" in clean["youtube_title"] or ">" in clean["youtube_title"]:
            errors["youtube_title"] = [_("YouTube erlaubt die Zeichen < und > nicht.")]
    if "youtube_description" in clean:
        if len(clean["youtube_description"]) > 5000:
            errors["youtube_description"] = [_("Höchstens %(n)d Zeichen.") % {"n": 5000}]
        elif "<" in clean["youtube_description"] or ">" in clean["youtube_description"]:
            errors["youtube_description"] = [_("YouTube erlaubt die Zeichen < und > nicht.")]
    if "youtube_tags" in clean:
        tags = clean["youtube_tags"]
        if isinstance(tags, str):
            tags = tags.split(",")
        tags = [str(t).strip() for t in tags if str(t).strip()]
        clean["youtube_tags"] = list(dict.fromkeys(tags))
        if sum(len(t) + 1 for t in tags) > 500:
            errors["youtube_tags"] = [_("Alle Tags zusammen dürfen höchstens 500 Zeichen haben.")]
    if errors:
        raise ValidationError(errors)
    return clean


def story_edit(
    *, story_id: int, actor: Any, data: dict[str, Any], expected_status: str | None = None
) -> Story:
    """Change title, text, region, topic and the YouTube metadata; one audit diff.

    Unchanged values write nothing. Raises ``ValidationError`` (400) for bad input.
    """
    clean = _clean_edit(data)
    with transaction.atomic():
        story = _locked(story_id)
        story_ensure_action(story, actor, "edit", expected_status=expected_status)
        review = _review(story)
        before = {n: getattr(story, n) for n in STORY_EDIT_FIELDS if n in clean}
        before |= {n: getattr(review, n) for n in YOUTUBE_EDIT_FIELDS if n in clean}
        old, new = diff(before, clean)
        if not new:
            return story
        for name, value in new.items():
            setattr(story if name in STORY_EDIT_FIELDS else review, name, value)
        story.save()
        review.save()
        _renew_if_holder(story, actor)
        if story.status == Story.Status.PUBLISHED:
            transaction.on_commit(public_content_changed)
        audit_record(
            action="moderation.story.edit", story=story, actor=actor, before=old, after=new
        )
    return story


def note_add(*, story_id: int, actor: Any, text: str) -> InternalNote:
    """An internal note for the team; the submitter never sees it."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("Bitte schreiben Sie eine Notiz.")]})
    if len(text) > 4000:
        raise ValidationError({"text": [_("Höchstens %(n)d Zeichen.") % {"n": 4000}]})
    with transaction.atomic():
        story = _locked(story_id)
        story_ensure_action(story, actor, "note")
        note = InternalNote.objects.create(story=story, author=actor, text=text)
        _renew_if_holder(story, actor)
        audit_record(
            action="moderation.note.add",
            story=story,
            actor=actor,
            comment=text,
            after={"note": note.pk},
        )
    return note


def story_assign(*, story_id: int, actor: Any, assignee_id: int | None) -> Review:
    """Assign a story to a moderator (or to nobody)."""
    assignee = None
    if assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None or not assignee.has_perm(PERM_REVIEW):
            raise ValidationError({"assignee": [_("Diese Person kann keine Geschichten prüfen.")]})
    with transaction.atomic():
        story = _locked(story_id)
        story_ensure_action(story, actor, "assign")
        review = _review(story)
        before = {"assignee": review.assignee.get_username() if review.assignee else None}
        review.assignee = assignee
        review.assigned_at = timezone.now() if assignee else None
        review.save()
        audit_record(
            action="moderation.story.assign",
            story=story,
            actor=actor,
            before=before,
            after={"assignee": assignee.get_username() if assignee else None},
        )
    return review


def story_media_rerun(*, story_id: int, actor: Any) -> None:
    """Run the media processing again; ``media_rerun`` writes the audit entry."""
    with transaction.atomic():
        story = _locked(story_id)
        story_ensure_action(story, actor, "rerun_media")
        media = story.media.get(is_current=True)
        media_rerun(media_id=media.pk, actor=actor)
        _renew_if_holder(story, actor)


# --- Decisions ----------------------------------------------------------------------------
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
        story = _locked(story_id)
        story_ensure_action(story, actor, "approve", expected_status=expected_status)
        review = _review(story)
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
        _drop_claim(story)
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
        _notify_after_commit(story, "approved")
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
        story = _locked(story_id)
        story_ensure_action(story, actor, "reject", expected_status=expected_status)
        text = rejection_text(reason=reason, free_text=free_text, language=story.language)
        Approval.objects.filter(story=story, superseded=False).update(superseded=True)
        _drop_claim(story)
        story = story_transition(
            story_id=story.pk,
            allowed_from=[S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED],
            to=S.REJECTED,
            action="moderation.story.reject",
            actor=actor,
            comment=f"[{reason.code}] {free_text}".strip() if reason else free_text.strip(),
            changes={"decision_reason": text},
        )
        _notify_after_commit(story, "rejected")
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
        story = _locked(story_id)
        story_ensure_action(story, actor, "request_changes", expected_status=expected_status)
        Approval.objects.filter(story=story, superseded=False).update(superseded=True)
        _drop_claim(story)
        story = story_transition(
            story_id=story.pk,
            allowed_from=[S.IN_REVIEW],
            to=S.CHANGES_REQUESTED,
            action="moderation.story.request_changes",
            actor=actor,
            comment=message,
            changes={"change_request": message},
        )
        _notify_after_commit(story, "changes_requested")
    return story


def story_takedown(
    *, story_id: int, actor: Any, reason: str, expected_status: str | None = None
) -> Story:
    """Take an approved or published story down and ask publishing to remove the video."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Bitte nennen Sie einen Grund.")]})
    with transaction.atomic():
        story = _locked(story_id)
        story_ensure_action(story, actor, "takedown", expected_status=expected_status)
        _drop_claim(story)
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
        _notify_after_commit(story, "taken_down")
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
        story = _locked(story_id)
        story_ensure_action(story, actor, "publish", expected_status=expected_status)
        _drop_claim(story)
        audit_record(
            action="moderation.story.publish_request",
            story=story,
            actor=actor,
            after={"publish_at": publish_at.isoformat() if publish_at else None},
        )
        youtube_services.publication_request(story=story, actor=actor, publish_at=publish_at)
    return story


# --- Bulk ---------------------------------------------------------------------------------
@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def stories_reject_as_spam(*, story_ids: Iterable[int], actor: Any) -> BulkResult:
    """Reject each story with the spam template; each one is its own decision and entry."""
    reason = RejectionReason.objects.filter(is_spam=True, is_active=True).first()
    result = BulkResult()
    for story_id in dict.fromkeys(story_ids):
        try:
            story_reject(
                story_id=story_id,
                actor=actor,
                reason_code=reason.code if reason else "",
                free_text="" if reason else "Spam",
            )
        except ApplicationError as exc:
            result.refused[story_id] = exc.message
        else:
            result.done.append(story_id)
    return result


def stories_assign(*, story_ids: Iterable[int], actor: Any, assignee_id: int | None) -> BulkResult:
    """Assign many stories; each one is checked and audited on its own."""
    result = BulkResult()
    for story_id in dict.fromkeys(story_ids):
        try:
            story_assign(story_id=story_id, actor=actor, assignee_id=assignee_id)
        except ApplicationError as exc:
            result.refused[story_id] = exc.message
        else:
            result.done.append(story_id)
    return result
