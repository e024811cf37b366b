"""E-mails to submitters, in the language they used for their submission."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from .links import confirm_url, status_url
from .models import Story


def confirmation_send(*, story_id: int) -> bool:
    """Send the double opt-in e-mail; False when there is nothing (left) to confirm."""
    story = Story.objects.filter(pk=story_id).first()
    if story is None or story.status != Story.Status.AWAITING_CONFIRMATION:
        return False
    with translation.override(story.language):
        context = {
            "story": story,
            "confirm_url": confirm_url(public_id=str(story.public_id)),
            "status_url": status_url(public_id=str(story.public_id)),
        }
        subject = render_to_string("stories/email/confirm_subject.txt", context).strip()
        body = render_to_string("stories/email/confirm_body.txt", context)
    send_mail(subject, body, None, [story.submitter_email])
    return True
