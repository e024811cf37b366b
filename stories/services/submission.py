"""Sending a draft, the double opt-in that follows, and finding unsent confirmations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.queue import enqueue, enqueue_on_commit

from ..models import Story, StoryMedia
from ..transitions import story_transition
from .consents import REQUIRED_CONSENTS, _consent_texts_shown, consent_record
from .drafts import TEXT_MIN

S = Story.Status


def _missing_for_submission(story: Story) -> dict[str, list[str]]:
    required = _("Bitte füllen Sie dieses Feld aus.")
    errors: dict[str, list[str]] = {}
    for name in ("title", "text", "submitter_name", "submitter_email", "submitter_role", "credit"):
        if not getattr(story, name):
            errors[name] = [required]
    if story.text and len(story.text) < TEXT_MIN:
        errors["text"] = [
            _("Bitte erzählen Sie etwas ausführlicher (mindestens %(n)d Zeichen).")
            % {"n": TEXT_MIN}
        ]
    if story.region_id is None:
        errors["region_id"] = [required]
    elif story.region and story.region.is_other and not story.region_other:
        errors["region_other"] = [required]
    if story.topic_id is None:
        errors["topic_id"] = [required]
    if story.credit == Story.Credit.PSEUDONYM and not story.credit_pseudonym:
        errors["credit_pseudonym"] = [required]
    if story.has_minor and not (story.guardian_name and story.guardian_email):
        errors["guardian_email"] = [
            _(
                "Für Personen unter 16 Jahren brauchen wir Name und "
                "E-Mail einer erziehungsberechtigten Person."
            )
        ]
    media = story.media.filter(is_current=True).first()
    if media is None:
        errors["video"] = [_("Bitte laden Sie ein Video hoch.")]
    elif media.state == StoryMedia.State.FAILED:
        errors["video"] = [media.failure_text or _("Das Video konnte nicht verarbeitet werden.")]
    return errors


def story_submit(
    *,
    story: Story,
    consents: Iterable[str],
    consent_language: str | None = None,
    consent_versions: Mapping[str, int] | None = None,
) -> Story:
    """Send the draft: check it is complete, record the consents, ask to confirm the e-mail.

    ``consent_language`` and ``consent_versions`` (purpose → version) name the consent texts
    the submitter was shown; the ledger records exactly those. A story answering a change
    request goes straight back to review, marked as revised (its consents stand as given).
    Raises ``ValidationError`` naming each missing field or consent, ``ApplicationError``
    (400) when the shown versions are missing and ``ConsentTextsChanged`` (409) when a text
    changed since it was shown.
    """
    given = set(consents)
    errors = _missing_for_submission(story)
    missing = [p for p in REQUIRED_CONSENTS if p not in given]
    if missing and story.status == S.DRAFT:
        errors["consents"] = [_("Bitte bestätigen Sie alle Einwilligungen.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if story.status == S.CHANGES_REQUESTED:
            updated = story_transition(
                story_id=story.pk,
                allowed_from=[S.CHANGES_REQUESTED],
                to=S.IN_REVIEW,
                action="stories.story.resubmit",
                changes={"revised": True},
            )
            return updated
        texts = _consent_texts_shown(language=consent_language, versions=consent_versions)
        for purpose in REQUIRED_CONSENTS:
            consent_record(
                story=story,
                purpose=purpose,
                granted=True,
                language=texts[purpose].language,
                text=texts[purpose],
            )
        updated = story_transition(
            story_id=story.pk,
            to=S.AWAITING_CONFIRMATION,
            action="stories.story.submit",
            changes={"submitted_at": timezone.now()},
        )
        transaction.on_commit(partial(_send_confirmation, updated.pk))
    return updated


def _send_confirmation(story_id: int) -> None:
    enqueue("workers.tasks.mail.send_story_confirmation", story_id)


def story_confirm_email(*, story: Story) -> Story:
    """The double opt-in: only now does the story reach the moderators' queue.

    When a person under 16 is in the video, the guardian is asked next (by e-mail).
    """
    if story.status != S.AWAITING_CONFIRMATION:
        return story  # a second click on the link changes nothing
    with transaction.atomic():
        updated = story_transition(
            story_id=story.pk,
            allowed_from=[S.AWAITING_CONFIRMATION],
            to=S.IN_REVIEW,
            action="stories.story.confirm_email",
            changes={"email_confirmed_at": timezone.now()},
        )
        if updated.has_minor and updated.guardian_confirmed_at is None:
            enqueue_on_commit("workers.tasks.mail.send_guardian_request", updated.pk)
    return updated


def confirmation_find_unsent(now: Any) -> list[int]:
    """Stories awaiting the double opt-in whose e-mail never went out (Redis was down)."""
    limit = now - timedelta(seconds=settings.JOB_STUCK_AFTER)
    return list(
        Story.objects.filter(
            status=S.AWAITING_CONFIRMATION,
            confirmation_sent_at__isnull=True,
            submitted_at__lt=limit,
        ).values_list("pk", flat=True)
    )
