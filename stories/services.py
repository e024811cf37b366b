"""Writes for stories: drafts, video, submission, confirmation, transitions.

The media job's lifecycle lives in ``stories.media_lifecycle`` (re-exported here).

Every change of a story's status goes through ``story_transition``: it locks the row,
re-checks the state, changes it and writes the audit entry in one transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kernel.cache import public_content_changed
from kernel.errors import ApplicationError, ConflictError
from kernel.queue import enqueue, enqueue_on_commit

from .audit import audit_record, diff
from .media_lifecycle import media_enqueue
from .media_lifecycle import media_find_stuck as media_find_stuck  # re-export
from .media_lifecycle import media_rerun as media_rerun  # re-export
from .models import ConsentRecord, ConsentText, Region, Story, StoryMedia, Topic
from .selectors import consent_text_current
from .tokens import new_token, token_hash
from .upload_tokens import story_by_upload_token, story_upload_token

if TYPE_CHECKING:
    from stories.uploads.models import Upload

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None
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
REQUIRED_CONSENTS = (
    ConsentText.Purpose.PUBLICATION,
    ConsentText.Purpose.USAGE_RIGHTS,
    ConsentText.Purpose.SPECIAL_CATEGORIES,
    ConsentText.Purpose.PEOPLE_IN_VIDEO,
)


def _snapshot(story: Story, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(story, name) for name in fields}


# --- Transitions --------------------------------------------------------------------------
def story_transition(
    *,
    story_id: int,
    allowed_from: Iterable[str],
    to: str,
    action: str,
    actor: Actor = None,
    actor_fallback: str = "submitter",
    comment: str = "",
    changes: dict[str, Any] | None = None,
) -> Story:
    """Move a story to ``to`` if it is in one of ``allowed_from``; one audit entry.

    Raises ``ConflictError`` (409) when the story is in another state meanwhile, e.g. when
    a second moderator decided first.
    """
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story_id)
        if story.status not in set(allowed_from):
            raise ConflictError(
                _("Diese Aktion ist im Status „%(status)s“ nicht möglich.")
                % {"status": story.get_status_display()},
                extra={"status": story.status},
            )
        before = {"status": story.status}
        story.status = to
        story.status_changed_at = timezone.now()
        for name, value in (changes or {}).items():
            setattr(story, name, value)
        story.save()
        audit_record(
            action=action,
            story=story,
            actor=actor,
            actor_fallback=actor_fallback,
            comment=comment,
            before=before,
            after={"status": to},
        )
        if S.PUBLISHED in (before["status"], to):
            transaction.on_commit(public_content_changed)
    return story


# --- Drafts -------------------------------------------------------------------------------
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
        errors["video"] = [media.failure_message or _("Das Video konnte nicht verarbeitet werden.")]
    return errors


def _consent_text(purpose: str, language: str) -> ConsentText:
    text = consent_text_current(purpose=purpose, language=language)
    if text is None:
        raise ConflictError(f"no consent text for {purpose}")
    return text


def consent_record(
    *,
    story: Story,
    purpose: str,
    granted: bool,
    language: str,
    subject: str = ConsentRecord.Subject.SUBMITTER,
    text: ConsentText | None = None,
) -> ConsentRecord:
    """Append one consent (or withdrawal) to the ledger, naming the text version shown.

    ``text`` is the text that was shown; without it, the current one in ``language``.
    """
    text = text or _consent_text(purpose, language)
    return ConsentRecord.objects.create(
        story=story,
        purpose=purpose,
        consent_text=text,
        text_version=text.version,
        text_language=text.language,
        subject=subject,
        granted=granted,
    )


class ConsentTextsChanged(ConflictError):
    """The consent texts the submitter saw are no longer the current ones (409)."""


def _consent_texts_shown(
    *, language: str | None, versions: Mapping[str, int] | None
) -> dict[str, ConsentText]:
    """The current texts, provided they are the versions that were shown in ``language``.

    ApplicationError (400) when the language or a version is missing; ConsentTextsChanged
    (409) when a text has a newer version than the one shown.
    """
    missing = [p for p in REQUIRED_CONSENTS if not versions or p not in versions]
    if not language or missing:
        raise ApplicationError(
            _(
                "Bitte geben Sie an, welche Fassung der Einwilligungstexte gezeigt wurde "
                "(Sprache und Version je Text)."
            ),
            extra={"consent_language": language or "", "missing": [str(p) for p in missing]},
        )
    assert versions is not None
    texts: dict[str, ConsentText] = {p: _consent_text(p, language) for p in REQUIRED_CONSENTS}
    stale = [p for p in REQUIRED_CONSENTS if texts[p].version != versions[p]]
    if stale:
        raise ConsentTextsChanged(
            _(
                "Die Einwilligungstexte wurden geändert. "
                "Bitte lesen und bestätigen Sie sie noch einmal."
            ),
            extra={
                "stale": [str(p) for p in stale],
                "current": {str(p): texts[p].version for p in REQUIRED_CONSENTS},
            },
        )
    return texts


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
            allowed_from=[S.DRAFT],
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


def story_grant_edit_access(*, story: Story) -> str:
    """A fresh private token to edit a story after a change request (from the status link).

    The old token stops working: whoever holds the status link decides who edits.
    """
    token = new_token()
    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story.pk)
        if locked.status != S.CHANGES_REQUESTED:
            raise ConflictError(_("Die Geschichte kann jetzt nicht bearbeitet werden."))
        locked.access_token_hash = token_hash(token)
        locked.save(update_fields=["access_token_hash", "updated_at"])
        audit_record(action="stories.story.edit_access", story=locked, actor_fallback="submitter")
    return token


def story_status_links_renew(*, email: str) -> int:
    """Send a fresh status link for every sent story of ``email``; the old links stop working.

    Returns how many stories got one; the caller must not tell the visitor (the same answer
    either way, so nobody learns whether an address sent a story). Drafts and erased stories
    have no status page.
    """
    email = email.strip()
    if not email:
        return 0
    ids = list(
        Story.objects.filter(submitter_email__iexact=email)
        .exclude(status__in=[S.DRAFT, S.ERASED])
        .values_list("pk", flat=True)
    )
    for story_id in ids:
        with transaction.atomic():
            locked = Story.objects.select_for_update().get(pk=story_id)
            locked.status_link_version += 1
            locked.save(update_fields=["status_link_version", "updated_at"])
            audit_record(
                action="stories.story.status_link_renew", story=locked, actor_fallback="submitter"
            )
            enqueue_on_commit("workers.tasks.mail.send_status_link", locked.pk)
    return len(ids)


def guardian_decide(*, story: Story, agree: bool) -> Story:
    """The guardian's answer from the link in their e-mail, recorded in the consent ledger.

    Agreeing unblocks approval; refusing withdraws the story, since it cannot be shown.
    Raises ``ConflictError`` when the story is no longer waiting for this answer.
    """
    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story.pk)
        if not locked.has_minor or locked.guardian_confirmed_at is not None:
            raise ConflictError(_("Diese Zustimmung wurde schon gegeben."))
        if locked.status not in (S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED):
            raise ConflictError(_("Diese Geschichte wartet nicht mehr auf eine Zustimmung."))
        consent_record(
            story=locked,
            purpose=ConsentText.Purpose.GUARDIAN,
            granted=agree,
            language=translation.get_language() or locked.language,
            subject=ConsentRecord.Subject.GUARDIAN,
        )
        if not agree:
            return story_withdraw(story=locked, comment="guardian refused")
        locked.guardian_confirmed_at = timezone.now()
        locked.save(update_fields=["guardian_confirmed_at", "updated_at"])
        audit_record(
            action="stories.guardian.confirm",
            story=locked,
            actor_fallback="guardian",
            after={"guardian_confirmed": True},
        )
    return locked


def guardian_find_unsent(now: Any) -> list[int]:
    """Stories in review waiting for a guardian whose e-mail never went out."""
    limit = now - timedelta(seconds=settings.JOB_STUCK_AFTER)
    return list(
        Story.objects.filter(
            status__in=[S.IN_REVIEW, S.CHANGES_REQUESTED],
            has_minor=True,
            guardian_confirmed_at__isnull=True,
            guardian_request_sent_at__isnull=True,
            email_confirmed_at__lt=limit,
        ).values_list("pk", flat=True)
    )


def story_withdraw(*, story: Story, comment: str = "") -> Story:
    """The submitter withdraws consent: the story leaves every public place."""
    with transaction.atomic():
        updated = story_transition(
            story_id=story.pk,
            allowed_from=[
                S.DRAFT,
                S.AWAITING_CONFIRMATION,
                S.IN_REVIEW,
                S.CHANGES_REQUESTED,
                S.APPROVED,
                S.PUBLISHED,
            ],
            to=S.WITHDRAWN,
            action="stories.story.withdraw",
            comment=comment,
        )
        consent_record(
            story=updated,
            purpose=ConsentText.Purpose.PUBLICATION,
            granted=False,
            language=updated.language,
        )
        # By task name: stories never imports the publishing side. If Redis is down, the
        # publishing reconciler and the withdrawal sweep find the story on their own.
        enqueue_on_commit("workers.tasks.publish.takedown_story", updated.pk)
        enqueue_on_commit("workers.tasks.retention.notify_partners_of_withdrawal", updated.pk)
    return updated


# --- Video --------------------------------------------------------------------------------
def upload_owner_for_token(token: str) -> str | None:
    """The tus endpoint's owner check: the editable draft an upload token proves, as its key.

    The token (``upload_tokens``) is the only way in: a public id names a draft, it never
    proves one.
    """
    story = story_by_upload_token(token=token)
    if story is None or story.status not in EDITABLE:
        return None
    return str(story.public_id)


def upload_in_use(upload_id: uuid.UUID) -> bool:
    """The tus endpoint's termination guard: an attached video is not the uploader's to drop."""
    return StoryMedia.objects.filter(upload_id=upload_id).exists()


def _upload_is_the_drafts(*, story: Story, upload: Upload) -> bool:
    """Did this draft's owner make the upload: its key and the draft's own upload token?"""
    from stories.uploads.selectors import upload_token_matches

    return upload.owner_key == str(story.public_id) and upload_token_matches(
        upload=upload, token=story_upload_token(story=story)
    )


def on_upload_complete(upload_id: uuid.UUID) -> None:
    """The tus endpoint's completion hook: attach a finished video to its draft.

    Only an upload made with the draft's own upload token is attached; anything else stays
    unattached (and ``story_attach_video`` would refuse it too).
    """
    from stories.uploads.models import Upload

    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None or upload.state != Upload.State.COMPLETED:
        return
    story = Story.objects.filter(public_id=upload.owner_key).first()
    if story is None or story.status not in EDITABLE:
        return
    if not _upload_is_the_drafts(story=story, upload=upload):
        logger.warning("upload %s: not made with its draft's upload token, not attached", upload.pk)
        return
    story_attach_video(story=story, upload_id=upload.pk)


def story_attach_video(*, story: Story, upload_id: uuid.UUID) -> StoryMedia:
    """Make a completed upload the story's video and queue its processing. Idempotent.

    Only an upload the draft's owner made (with the draft's upload token) can be attached.
    """
    from stories.uploads.models import Upload

    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story.pk)
        if locked.status not in EDITABLE:
            raise ConflictError(_("Das Video kann jetzt nicht mehr ausgetauscht werden."))
        upload = Upload.objects.filter(pk=upload_id, owner_key=str(locked.public_id)).first()
        if upload is None or not _upload_is_the_drafts(story=locked, upload=upload):
            raise ValidationError({"video": [_("Diese Datei gehört nicht zu Ihrer Geschichte.")]})
        if upload.state != Upload.State.COMPLETED:
            raise ValidationError(
                {
                    "video": [
                        _("Die Datei ist noch nicht vollständig hochgeladen oder wurde abgelehnt.")
                    ]
                }
            )
        current = locked.media.filter(is_current=True).first()
        if current is not None and current.upload_id == upload.pk:
            return current
        if current is not None:
            StoryMedia.objects.filter(pk=current.pk).update(is_current=False)
        media = StoryMedia.objects.create(story=locked, upload=upload, enqueued_at=timezone.now())
        locked.video_upload = upload
        locked.save(update_fields=["video_upload", "updated_at"])
        audit_record(
            action="stories.media.attach",
            story=locked,
            actor_fallback="submitter",
            before={"upload": str(current.upload_id) if current else None},
            after={"upload": str(upload.pk)},
        )
        transaction.on_commit(partial(media_enqueue, media.pk))
    return media


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
