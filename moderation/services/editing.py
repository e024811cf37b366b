"""Editing a story under review: text and YouTube metadata, notes, assignment, media rerun."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.cache import public_content_changed
from stories.audit import audit_record, diff
from stories.models import Region, Story, Topic
from stories.services import media_rerun

from ..models import InternalNote, Review
from ..permissions import PERM_REVIEW, story_ensure_action
from .common import locked_story, renew_if_holder, review_of

STORY_EDIT_FIELDS = ("title", "text", "region_id", "topic_id")
YOUTUBE_EDIT_FIELDS = ("youtube_title", "youtube_description", "youtube_tags")
EDIT_FIELDS = STORY_EDIT_FIELDS + YOUTUBE_EDIT_FIELDS


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
        story = locked_story(story_id)
        story_ensure_action(story, actor, "edit", expected_status=expected_status)
        review = review_of(story)
        before = {n: getattr(story, n) for n in STORY_EDIT_FIELDS if n in clean}
        before |= {n: getattr(review, n) for n in YOUTUBE_EDIT_FIELDS if n in clean}
        old, new = diff(before, clean)
        if not new:
            return story
        for name, value in new.items():
            setattr(story if name in STORY_EDIT_FIELDS else review, name, value)
        story.save()
        review.save()
        renew_if_holder(story, actor)
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
        story = locked_story(story_id)
        story_ensure_action(story, actor, "note")
        note = InternalNote.objects.create(story=story, author=actor, text=text)
        renew_if_holder(story, actor)
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
        story = locked_story(story_id)
        story_ensure_action(story, actor, "assign")
        review = review_of(story)
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
        story = locked_story(story_id)
        story_ensure_action(story, actor, "rerun_media")
        media = story.media.get(is_current=True)
        media_rerun(media_id=media.pk, actor=actor)
        renew_if_holder(story, actor)
