"""E-mails to submitters and guardians, in the language of the submission.

Each e-mail is sent at most once: the story row is claimed (a ``*_sent_at`` field) before
sending, so a second task for the same story (the reconciler's, after a lost message) sends
nothing; a failed send releases the claim and raises, so a retry or the reconciler sends it
later.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.mail import send_mail
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .links import confirm_url, guardian_url, status_url
from .models import Story


def _send_once(
    *, story_id: int, claimable: QuerySet[Story], field: str, send: Callable[[Story], None]
) -> bool:
    """Claim ``field`` on the story if ``claimable`` still holds it, then ``send``."""
    now = timezone.now()
    claimed = claimable.filter(pk=story_id, **{f"{field}__isnull": True}).update(**{field: now})
    story = Story.objects.filter(pk=story_id).first()
    if not claimed or story is None:
        return False
    try:
        send(story)
    except BaseException:
        Story.objects.filter(pk=story_id, **{field: now}).update(**{field: None})
        raise
    return True


def _mail(story: Story, *, template: str, context: dict[str, Any], to: str) -> None:
    with translation.override(story.language):
        context = {"story": story, **context}
        subject = render_to_string(f"stories/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"stories/email/{template}_body.txt", context)
    send_mail(subject, body, None, [to])


def confirmation_send(*, story_id: int) -> bool:
    """Send the double opt-in e-mail once; False when it is not (or no longer) needed."""

    def send(story: Story) -> None:
        public_id = str(story.public_id)
        context = {
            "confirm_url": confirm_url(public_id=public_id, language=story.language),
            "status_url": status_url(public_id=public_id, language=story.language),
        }
        _mail(story, template="confirm", context=context, to=story.submitter_email)

    return _send_once(
        story_id=story_id,
        claimable=Story.objects.filter(status=Story.Status.AWAITING_CONFIRMATION),
        field="confirmation_sent_at",
        send=send,
    )


def guardian_request_send(*, story_id: int) -> bool:
    """Ask the guardian of a minor in the video to agree; once per story."""

    def send(story: Story) -> None:
        context = {"url": guardian_url(public_id=str(story.public_id), language=story.language)}
        _mail(story, template="guardian", context=context, to=story.guardian_email)

    return _send_once(
        story_id=story_id,
        claimable=Story.objects.filter(
            has_minor=True,
            guardian_confirmed_at__isnull=True,
            status__in=[Story.Status.IN_REVIEW, Story.Status.CHANGES_REQUESTED],
        ).exclude(guardian_email=""),
        field="guardian_request_sent_at",
        send=send,
    )


def status_link_send(*, story_id: int) -> bool:
    """Mail the story's current status link (asked for on the status-link page).

    Not claimed like the other mails: each request raises the link version, and the mail
    always carries the newest link, so a repeated send is harmless.
    """
    story = Story.objects.filter(pk=story_id).exclude(submitter_email="").first()
    if story is None or story.status in (Story.Status.DRAFT, Story.Status.ERASED):
        return False
    context = {
        "status_url": status_url(
            public_id=str(story.public_id),
            version=story.status_link_version,
            language=story.language,
        )
    }
    _mail(story, template="status_link", context=context, to=story.submitter_email)
    return True
