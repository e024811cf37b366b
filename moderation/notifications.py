"""E-mails of the workspace: decisions to submitters (in their language), digests to staff."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from stories.links import absolute, status_url
from stories.models import Story

from .models import DecisionEmailTemplate, DigestRun
from .permissions import PERM_REVIEW

# Which story status each decision e-mail belongs to: a stale task for a decision that was
# overtaken (approved, then taken down before the worker ran) sends nothing.
DECISION_STATUS = {
    "approved": Story.Status.APPROVED,
    "rejected": Story.Status.REJECTED,
    "changes_requested": Story.Status.CHANGES_REQUESTED,
    "taken_down": Story.Status.TAKEN_DOWN,
}


def decision_email_send(*, story_id: int, decision: str) -> bool:
    """Tell the submitter about a decision, in the language they submitted in.

    Returns False (and sends nothing) when the story is gone or has moved on since.
    """
    story = Story.objects.filter(pk=story_id).first()
    if story is None or not story.submitter_email:
        return False
    if DECISION_STATUS.get(decision) != story.status:
        return False
    link = status_url(public_id=str(story.public_id), language=story.language)
    own = DecisionEmailTemplate.objects.filter(decision=decision, language=story.language).first()
    if own is not None:
        subject, body = (
            fill_template(own.subject, story, link),
            fill_template(own.body, story, link),
        )
    else:
        with translation.override(story.language):
            context = {"story": story, "decision": decision, "status_url": link}
            subject = render_to_string("moderation/email/decision_subject.txt", context).strip()
            body = render_to_string("moderation/email/decision_body.txt", context)
    send_mail(subject.replace("\n", " "), body, None, [story.submitter_email])
    return True


PLACEHOLDERS = ("name", "title", "reason", "request", "status_url")


def fill_template(text: str, story: Story, link: str) -> str:
    """Fill the known placeholders; everything else stays as the campaign admin wrote it."""
    values = {
        "name": story.submitter_name,
        "title": story.title,
        "reason": story.decision_reason,
        "request": story.change_request,
        "status_url": link,
    }
    for key in PLACEHOLDERS:
        text = text.replace("{" + key + "}", values[key])
    return text


def digest_send(*, now: Any = None) -> DigestRun:
    """Tell every moderator what arrived since the last digest and what waits too long."""
    now = now or timezone.now()
    last = DigestRun.objects.order_by("-sent_at").first()
    since = last.sent_at if last else now - timedelta(hours=settings.MODERATION_DIGEST_HOURS)
    waiting_limit = now - timedelta(days=settings.MODERATION_WAITING_DAYS)
    in_review = Story.objects.filter(status=Story.Status.IN_REVIEW)
    new = list(in_review.filter(status_changed_at__gte=since).order_by("status_changed_at")[:50])
    new_count = in_review.filter(status_changed_at__gte=since).count()
    waiting = list(in_review.filter(status_changed_at__lt=waiting_limit)[:50])
    waiting_count = in_review.filter(status_changed_at__lt=waiting_limit).count()
    run = DigestRun(sent_at=now, new_stories=new_count, waiting_stories=waiting_count)
    if not (new_count or waiting_count):
        run.save()
        return run
    User = get_user_model()
    perm_app, perm_code = PERM_REVIEW.split(".")
    has_perm = Q(groups__permissions__codename=perm_code) & Q(
        groups__permissions__content_type__app_label=perm_app
    )
    recipients = list(
        User.objects.filter(is_active=True)
        .filter(has_perm | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
    )
    context = {
        "new": new,
        "new_count": new_count,
        "waiting": waiting,
        "waiting_count": waiting_count,
        "waiting_days": settings.MODERATION_WAITING_DAYS,
        "queue_url": absolute("/moderation/"),
        "site_url": settings.SITE_URL,
    }
    for user in recipients:
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string("moderation/email/digest_subject.txt", context).strip()
            body = render_to_string("moderation/email/digest_body.txt", context)
        send_mail(subject, body, None, [user.email])
    run.recipients = len(recipients)
    run.save()
    return run
