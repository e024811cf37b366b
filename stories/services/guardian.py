"""The guardian's consent for a person under 16 in the video."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kernel.errors import ConflictError

from ..audit import audit_record
from ..models import ConsentRecord, ConsentText, Story
from .changes import story_withdraw
from .consents import consent_record

S = Story.Status


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
