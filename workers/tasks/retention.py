"""The privacy lifecycle on the default queue: retention jobs, the withdrawal follow-up that
tells partners, and the accessibility feedback e-mail. Periodic ones run from beat."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)

MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(name="workers.tasks.retention.run_retention", ignore_result=True)
def run_retention() -> dict[str, Any]:
    """Erase unconfirmed drafts and old rejections, delete verified originals, expire old
    accessibility feedback; returns (and logs) what each job removed."""
    from publishing.gallery.services import accessibility_feedback_expire
    from stories.retention import (
        retention_originals,
        retention_rejected,
        retention_unconfirmed_drafts,
    )

    now = timezone.now()
    result: dict[str, Any] = {
        "unconfirmed_drafts": retention_unconfirmed_drafts(now=now).as_dict(),
        "rejected": retention_rejected(now=now).as_dict(),
        "originals": retention_originals(now=now).as_dict(),
        "accessibility_feedback": {"count": accessibility_feedback_expire(now=now)},
    }
    logger.info(
        "retention run: %s",
        {job: report["count"] for job, report in result.items()},
    )
    return result


@shared_task(
    name="workers.tasks.retention.notify_partners_of_withdrawal",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_jitter=True,
    max_retries=8,
    ignore_result=True,
)
def notify_partners_of_withdrawal(story_id: int) -> list[int]:
    """E-mail the partners holding material of a withdrawn story; once, audited."""
    from publishing.gallery.services import withdrawal_notify_partners

    notice = withdrawal_notify_partners(story_id=story_id)
    return notice.partner_ids if notice else []


@shared_task(name="workers.tasks.retention.withdrawal_followup", ignore_result=True)
def withdrawal_followup() -> dict[str, int]:
    """Find withdrawn (or erased) published stories whose partners were not told yet, and
    the accessibility feedback that was never mailed; enqueue both."""
    from publishing.gallery.services import (
        accessibility_feedback_unsent,
        withdrawal_pending_notices,
    )

    stories = withdrawal_pending_notices()
    for story_id in stories:
        notify_partners_of_withdrawal.delay(story_id)
    feedback = accessibility_feedback_unsent()
    for feedback_id in feedback:
        send_accessibility_feedback.delay(feedback_id)
    return {"stories": len(stories), "feedback": len(feedback)}


@shared_task(
    name="workers.tasks.retention.send_accessibility_feedback",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_jitter=True,
    max_retries=8,
    ignore_result=True,
)
def send_accessibility_feedback(feedback_id: int) -> bool:
    """E-mail one reported barrier to the campaign admins (once)."""
    from publishing.gallery.services import accessibility_feedback_mail

    return accessibility_feedback_mail(feedback_id=feedback_id)
