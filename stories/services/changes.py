"""After sending: edit access for a change request, fresh status links, withdrawal."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import ConflictError
from kernel.queue import enqueue_on_commit

from ..audit import audit_record
from ..models import ConsentText, Story
from ..tokens import new_token, token_hash
from ..transitions import story_transition
from .consents import consent_record

S = Story.Status


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


def story_withdraw(*, story: Story, comment: str = "") -> Story:
    """The submitter withdraws consent: the story leaves every public place."""
    with transaction.atomic():
        updated = story_transition(
            story_id=story.pk,
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
