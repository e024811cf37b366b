"""E-mails: decisions reach the submitter in their language through the real worker; digest."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from config.celery_app import _beat_schedule
from moderation import services
from moderation.models import DigestRun
from moderation.notifications import digest_send
from tests.support.services import wait_for

from .factories import StoryFactory, make_user


def _subjects(mail_dir: Path) -> list[str]:
    subjects = []
    for path in mail_dir.glob("*.log"):
        for chunk in path.read_bytes().split(b"-" * 79):
            if b"Subject:" in chunk:
                message = message_from_bytes(chunk.strip())
                subjects.append(str(make_header(decode_header(message["Subject"]))))
    return subjects


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_mails_the_decision_in_the_submitters_language(
    seeded: None, celery_worker: Any, mail_dir: Path
) -> None:
    mia = make_user("moderator", "mia")
    story = StoryFactory(language="uk", title="Перша власна квартира")
    services.story_reject(story_id=story.pk, actor=mia, reason_code="off-topic")
    expected = "Вашу історію не буде опубліковано – ZUSAMMEN. MEHR."
    wait_for(
        lambda: expected in _subjects(mail_dir),
        timeout=30,
        what="the rejection e-mail\n" + celery_worker.log_tail(),
    )
    body = b"".join(p.read_bytes() for p in mail_dir.glob("*.log")).decode("utf-8", "replace")
    assert story.submitter_email in body


@pytest.mark.django_db
def test_digest_names_new_and_long_waiting_stories(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MODERATION_WAITING_DAYS = 3
    make_user("moderator", "mia")
    make_user("publisher", "paul")
    make_user("partner", "pia")
    fresh = StoryFactory(title="Gerade eingegangen", status_changed_at=timezone.now())
    old = StoryFactory(
        title="Wartet schon lange", status_changed_at=timezone.now() - timedelta(days=5)
    )
    run = digest_send()
    assert (run.new_stories, run.waiting_stories, run.recipients) == (1, 1, 2)
    assert sorted(m.to[0] for m in mail.outbox) == ["mia@example.org", "paul@example.org"]
    body = mail.outbox[0].body
    assert fresh.title in body and old.title in body
    assert f"/moderation/stories/{old.pk}/" in body

    mail.outbox.clear()
    again = digest_send()  # nothing new since: only the long-waiting one is named
    assert (again.new_stories, again.waiting_stories) == (0, 1)
    assert DigestRun.objects.count() == 2


def test_digest_is_on_the_beat_schedule() -> None:
    entry = _beat_schedule()["moderation-digest"]
    assert entry["task"] == "workers.tasks.moderation.send_digest"
    assert entry["schedule"] == 24 * 3600.0
