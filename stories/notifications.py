"""E-mails to submitters, in the language they used for their submission."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .links import confirm_url, guardian_url, status_url
from .models import Story


def confirmation_send(*, story_id: int) -> bool:
    """Send the double opt-in e-mail once; False when it is not (or no longer) needed.

    The row is claimed (``confirmation_sent_at``) before sending, so a second task for the
    same story (the reconciler's, after a lost message) sends nothing; a failed send
    releases the claim and raises, so a retry or the reconciler sends it later.
    """
    now = timezone.now()
    claimed = Story.objects.filter(
        pk=story_id,
        status=Story.Status.AWAITING_CONFIRMATION,
        confirmation_sent_at__isnull=True,
    ).update(confirmation_sent_at=now)
    story = Story.objects.filter(pk=story_id).first()
    if not claimed or story is None:
        return False
    try:
        _send(story)
    except BaseException:
        Story.objects.filter(pk=story_id, confirmation_sent_at=now).update(
            confirmation_sent_at=None
        )
        raise
    return True


def _send(story: Story) -> None:
    with translation.override(story.language):
        context = {
            "story": story,
            "confirm_url": confirm_url(public_id=str(story.public_id)),
            "status_url": status_url(public_id=str(story.public_id)),
        }
        subject = render_to_string("stories/email/confirm_subject.txt", context).strip()
        body = render_to_string("stories/email/confirm_body.txt", context)
    send_mail(subject, body, None, [story.submitter_email])


def guardian_request_send(*, story_id: int) -> bool:
    """Ask the guardian of a minor in the video to agree; once per story (claimed first)."""
    now = timezone.now()
    claimed = (
        Story.objects.filter(
            pk=story_id,
            has_minor=True,
            guardian_confirmed_at__isnull=True,
            guardian_request_sent_at__isnull=True,
            status__in=[Story.Status.IN_REVIEW, Story.Status.CHANGES_REQUESTED],
        )
        .exclude(guardian_email="")
        .update(guardian_request_sent_at=now)
    )
    story = Story.objects.filter(pk=story_id).first()
    if not claimed or story is None:
        return False
    try:
        with translation.override(story.language):
            context = {"story": story, "url": guardian_url(public_id=str(story.public_id))}
            subject = render_to_string("stories/email/guardian_subject.txt", context).strip()
            body = render_to_string("stories/email/guardian_body.txt", context)
        send_mail(subject, body, None, [story.guardian_email])
    except BaseException:
        Story.objects.filter(pk=story_id, guardian_request_sent_at=now).update(
            guardian_request_sent_at=None
        )
        raise
    return True
