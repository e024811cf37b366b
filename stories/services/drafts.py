"""Drafts: start one, save what the submitter typed so far."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import ConflictError

from ..audit import audit_record, diff
from ..models import Region, Story, Topic
from ..tokens import new_token, token_hash

S = Story.Status


TITLE_MAX = 120
TEXT_MIN = 40
TEXT_MAX = 5000
EDITABLE = (S.DRAFT, S.CHANGES_REQUESTED)
DRAFT_FIELDS = (
    "title",
    "text",
    "region_id",
    "region_other",
    "topic_id",
    "video_language",
    "submitter_name",
    "submitter_email",
    "submitter_organisation",
    "submitter_role",
    "credit",
    "credit_pseudonym",
    "has_minor",
    "guardian_name",
    "guardian_email",
    "language",
)


def _snapshot(story: Story, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(story, name) for name in fields}


def story_create_draft(*, language: str = "de", partner_ref: str = "") -> tuple[Story, str]:
    """Start a draft; returns it with the private token (shown to the submitter only once)."""
    token = new_token()
    languages = {code for code, _name in settings.LANGUAGES}
    story = Story.objects.create(
        access_token_hash=token_hash(token),
        language=language if language in languages else "de",
        partner_ref=partner_ref[:40],
    )
    audit_record(
        action="stories.story.create_draft",
        story=story,
        actor_fallback="submitter",
        after={"partner_ref": story.partner_ref},
    )
    return story, token


def _validate_draft_fields(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, value in data.items():
        if name not in DRAFT_FIELDS:
            continue
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").strip()
        clean[name] = value
    if "language" in clean and clean["language"] not in {c for c, _n in settings.LANGUAGES}:
        errors["language"] = [_("Diese Sprache wird nicht angeboten.")]
    if "title" in clean and len(clean["title"]) > TITLE_MAX:
        errors["title"] = [
            _("Der Titel darf höchstens %(n)d Zeichen lang sein.") % {"n": TITLE_MAX}
        ]
    if "text" in clean and len(clean["text"]) > TEXT_MAX:
        errors["text"] = [
            _("Die Geschichte darf höchstens %(n)d Zeichen lang sein (jetzt: %(m)d).")
            % {"n": TEXT_MAX, "m": len(clean["text"])}
        ]
    if (
        clean.get("region_id")
        and not Region.objects.filter(pk=clean["region_id"], is_active=True).exists()
    ):
        errors["region_id"] = [_("Bitte wählen Sie eine Region aus der Liste.")]
    if (
        clean.get("topic_id")
        and not Topic.objects.filter(pk=clean["topic_id"], is_active=True).exists()
    ):
        errors["topic_id"] = [_("Bitte wählen Sie ein Thema aus der Liste.")]
    for choice_field, choices in (
        ("submitter_role", Story.SubmitterRole),
        ("credit", Story.Credit),
    ):
        if clean.get(choice_field) and clean[choice_field] not in choices.values:
            errors[choice_field] = [_("Bitte wählen Sie eine der Möglichkeiten.")]
    for name, limit in (
        ("submitter_name", 120),
        ("region_other", 120),
        ("guardian_name", 120),
        ("submitter_organisation", 160),
        ("credit_pseudonym", 80),
    ):
        if len(str(clean.get(name, ""))) > limit:
            errors[name] = [_("Höchstens %(n)d Zeichen.") % {"n": limit}]
    if errors:
        raise ValidationError(errors)
    return clean


def story_update_draft(*, story: Story, data: dict[str, Any]) -> Story:
    """Save what the submitter typed so far; nothing is required until submission."""
    clean = _validate_draft_fields(data)
    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story.pk)
        if locked.status not in EDITABLE:
            raise ConflictError(_("Die Geschichte kann jetzt nicht mehr bearbeitet werden."))
        before = _snapshot(locked, clean)
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["access_token_hash", "region", "topic", "video_upload"])
        locked.save()
        old, new = diff(before, _snapshot(locked, clean))
        if new:
            audit_record(
                action="stories.story.edit_draft",
                story=locked,
                actor_fallback="submitter",
                before=old,
                after=new,
            )
    return locked
