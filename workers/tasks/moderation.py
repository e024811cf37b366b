"""E-mails of the moderation workspace, on the default queue."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(
    name="workers.tasks.moderation.send_decision_email",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=8,
)
def send_decision_email(story_id: int, decision: str) -> bool:
    """Tell the submitter about a moderation decision, in their language.

    Sends nothing when the story is gone or the decision was overtaken meanwhile.
    """
    from moderation.notifications import decision_email_send

    return decision_email_send(story_id=story_id, decision=decision)


@shared_task(
    name="workers.tasks.moderation.send_digest",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=60,
    max_retries=3,
)
def send_digest() -> dict[str, int]:
    """The periodic digest to moderators: new stories and those waiting too long."""
    from moderation.notifications import digest_send

    run = digest_send()
    logger.info(
        "moderation digest: %d new, %d waiting, %d recipients",
        run.new_stories,
        run.waiting_stories,
        run.recipients,
    )
    return {"new": run.new_stories, "waiting": run.waiting_stories, "recipients": run.recipients}
