"""E-mail to submitters, on the default queue."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from celery import shared_task

from workers.reconcile import JobKind, register

logger = logging.getLogger(__name__)


@shared_task(
    name="workers.tasks.mail.send_story_confirmation",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=8,
)
def send_story_confirmation(story_id: int) -> None:
    """The double opt-in e-mail with the confirmation link and the private status link."""
    from stories.notifications import confirmation_send

    confirmation_send(story_id=story_id)


@shared_task(
    name="workers.tasks.mail.send_status_link",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=8,
)
def send_status_link(story_id: int) -> None:
    """A fresh private status link, asked for by the submitter."""
    from stories.notifications import status_link_send

    status_link_send(story_id=story_id)


def _enqueue_confirmation(story_id: int) -> None:
    send_story_confirmation.delay(story_id)


def _find_unsent_confirmations(now: Any) -> list[int]:
    from stories.services import confirmation_find_unsent

    return confirmation_find_unsent(now)


register(
    JobKind(
        name="confirmation-mail",
        find_stuck=_find_unsent_confirmations,
        enqueue=_enqueue_confirmation,
    )
)


@shared_task(
    name="workers.tasks.mail.send_guardian_request",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=8,
)
def send_guardian_request(story_id: int) -> None:
    """Ask the guardian of a minor in the video for their consent (once per story)."""
    from stories.notifications import guardian_request_send

    guardian_request_send(story_id=story_id)


def _enqueue_guardian(story_id: int) -> None:
    send_guardian_request.delay(story_id)


def _find_unsent_guardian_requests(now: Any) -> list[int]:
    from stories.services import guardian_find_unsent

    return guardian_find_unsent(now)


register(
    JobKind(
        name="guardian-mail",
        find_stuck=_find_unsent_guardian_requests,
        enqueue=_enqueue_guardian,
    )
)
