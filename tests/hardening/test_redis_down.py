"""Redis stops while supporters send their stories: nothing is lost, the work runs later.

Through the API on a live server, with redis-server stopped: draft, fields, the tus upload,
attaching the video and sending all succeed and every story is saved, although neither the
media job nor the confirmation e-mail can be enqueued. When Redis is back (same port), the
reconciler re-enqueues both from what the database says, the real worker transcodes every
video and sends every confirmation e-mail exactly once.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests

from stories.models import Region, Story, StoryMedia, Topic
from tests.support.services import CeleryWorker, RedisServer, wait_for

from .conftest import mails_to, reconcile_later, tus_upload

pytestmark = pytest.mark.worker

CONSENTS = ["publication", "usage_rights", "special_categories", "people_in_video"]


def _submit_story(base: str, clip: Path, n: int) -> tuple[str, str]:
    """The whole submission through the API; returns the story id and the e-mail address."""
    http = requests.Session()
    response = http.post(f"{base}/api/v1/stories/", json={"language": "de"}, timeout=30)
    assert response.status_code == 201, response.text
    draft = response.json()
    auth = {"Authorization": f"Story {draft['token']}"}
    email = f"redis-down-{n}@example.org"
    fields = {
        "title": f"Gemeinsam im Verein {n}",
        "text": "Yusuf trainiert seit drei Jahren die Jugendmannschaft in Lüneburg mit.",
        "region_id": Region.objects.get(slug="celle").pk,
        "topic_id": Topic.objects.get(slug="arbeit-und-ausbildung").pk,
        "submitter_name": "Yusuf Beispiel",
        "submitter_email": email,
        "submitter_role": "person",
        "credit": "first_name",
    }
    response = http.patch(f"{base}/api/v1/stories/mine/", json=fields, headers=auth, timeout=30)
    assert response.status_code == 200, response.text

    upload_id = tus_upload(base, clip, token=draft["upload_token"], http=http)
    response = http.post(
        f"{base}/api/v1/stories/mine/video/",
        json={"upload_id": upload_id},
        headers=auth,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    response = http.post(
        f"{base}/api/v1/stories/mine/submit/",
        json={
            "consents": CONSENTS,
            "consent_language": "de",
            "consent_versions": {purpose: 1 for purpose in CONSENTS},
        },
        headers=auth,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "awaiting_confirmation"
    return draft["id"], email


def test_submissions_survive_redis_down_and_run_when_it_is_back(
    celery_worker: CeleryWorker,
    redis_server: RedisServer,
    live_server: Any,
    seeded: None,
    clip: Path,
    mail_dir: Path,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.UPLOAD_TEMP_DIR = tmp_path / "uploads"
    redis_server.stop()
    try:
        started = time.monotonic()
        submitted = [_submit_story(live_server.url, clip, n) for n in range(3)]
        # Failing open must not mean hanging: a submission takes seconds, not a timeout.
        assert time.monotonic() - started < 60
    finally:
        redis_server.start()

    for public_id, email in submitted:
        story = Story.objects.get(public_id=public_id)
        assert story.status == Story.Status.AWAITING_CONFIRMATION
        assert story.confirmation_sent_at is None  # the e-mail could not be queued
        media = StoryMedia.objects.get(story=story, is_current=True)
        assert media.state == StoryMedia.State.WAITING
        assert mails_to(mail_dir, email) == 0

    counts = reconcile_later()
    assert counts["media"] == 3, counts
    assert counts["confirmation-mail"] == 3, counts

    def all_done() -> bool:
        media_ready = StoryMedia.objects.filter(
            story__public_id__in=[p for p, _ in submitted],
            is_current=True,
            state=StoryMedia.State.READY,
        ).count()
        mailed = all(mails_to(mail_dir, email) >= 1 for _, email in submitted)
        return media_ready == 3 and mailed

    wait_for(
        all_done, timeout=150, what="media and e-mails after Redis\n" + celery_worker.log_tail()
    )

    # Nothing is left for the reconciler, and nothing ran twice.
    again = reconcile_later()
    assert again["media"] == 0 and again["confirmation-mail"] == 0, again
    for public_id, email in submitted:
        assert mails_to(mail_dir, email) == 1
        story = Story.objects.get(public_id=public_id)
        assert story.confirmation_sent_at is not None
        assert StoryMedia.objects.get(story=story, is_current=True).attempts == 1
