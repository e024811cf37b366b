"""The pipeline page at /betrieb/pipeline/: who sees it, what it shows, and the retry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from stories.models import AuditEntry, StoryMedia
from tests.moderation.factories import StoryFactory, attach_media, make_user
from tests.support.services import CeleryWorker, wait_for

URL = "/betrieb/pipeline/"


def _failed_media(clip: Path | None = None) -> StoryMedia:
    story = StoryFactory()
    media = attach_media(story, state=StoryMedia.State.FAILED)
    StoryMedia.objects.filter(pk=media.pk).update(
        failure_code="transcode_failed",
        failure_message="Die Verarbeitung hat zu lange gedauert.",
        attempts=1,
        finished_at=timezone.now() - timedelta(hours=2),
    )
    if clip is not None:  # the original the worker will read
        with clip.open("rb") as fh:
            default_storage.save(media.upload.storage_key, fh)
    media.refresh_from_db()
    return media


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["moderator", "publisher", "partner", None])
def test_only_campaign_admins_see_the_pipeline(client: Client, role: str | None) -> None:
    media = _failed_media()
    assert client.get(URL).status_code == 302  # anonymous: to the login page
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    response = client.post(f"/betrieb/pipeline/media/{media.pk}/retry/")
    assert response.status_code == 403
    media.refresh_from_db()
    assert media.state == StoryMedia.State.FAILED


@pytest.mark.django_db
def test_the_page_lists_failed_and_stuck_jobs_with_reason_age_and_attempts(
    client: Client, settings: Any
) -> None:
    failed = _failed_media()
    stuck_story = StoryFactory(title="Hängt seit gestern")
    stuck = attach_media(stuck_story, state=StoryMedia.State.WAITING)
    StoryMedia.objects.filter(pk=stuck.pk).update(
        enqueued_at=timezone.now() - timedelta(seconds=settings.JOB_STUCK_AFTER + 600)
    )
    fresh = attach_media(StoryFactory(), state=StoryMedia.State.WAITING)
    StoryMedia.objects.filter(pk=fresh.pk).update(enqueued_at=timezone.now())
    attach_media(StoryFactory(), state=StoryMedia.State.READY)

    client.force_login(make_user("campaign_admin"))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-job="media-{failed.pk}" data-problem="failed"' in html
    assert "Die Verarbeitung hat zu lange gedauert." in html
    assert f'data-job="media-{stuck.pk}" data-problem="stuck"' in html
    assert "Hängt seit gestern" in html
    assert f'data-job="media-{fresh.pk}"' not in html  # waiting, but not for long
    assert "vor 2\xa0Stunden" in html  # the failure's age
    # counts per state on top, for every kind of job
    counts = response.context["summaries"]
    media_counts = {state: n for state, _label, n in counts[0].counts}
    assert media_counts["failed"] == 1 and media_counts["waiting"] == 2
    assert media_counts["ready"] == 1
    assert [summary.kind for summary in counts] == ["media", "publication", "kit"]
    assert "<script>" not in html.split("</header>", 1)[1]  # no inline script (CSP)


@pytest.mark.django_db
def test_a_finished_job_cannot_be_retried_twice(client: Client) -> None:
    media = attach_media(StoryFactory(), state=StoryMedia.State.READY)
    client.force_login(make_user("campaign_admin"))
    response = client.post(f"/betrieb/pipeline/media/{media.pk}/retry/", follow=True)
    assert response.status_code == 200
    assert "weder fehlgeschlagen noch hängengeblieben" in response.content.decode()
    assert client.post("/betrieb/pipeline/bogus/1/retry/").status_code == 404
    assert client.get(f"/betrieb/pipeline/media/{media.pk}/retry/").status_code == 405


@pytest.mark.worker
def test_retry_reruns_a_failed_media_job_through_the_real_worker(
    celery_worker: CeleryWorker, seeded: None, clip: Path
) -> None:
    media = _failed_media(clip)
    admin: User = make_user("campaign_admin")
    client = Client()
    client.force_login(admin)
    response = client.post(f"/betrieb/pipeline/media/{media.pk}/retry/")
    assert response.status_code == 302 and response["Location"] == URL

    wait_for(
        lambda: StoryMedia.objects.get(pk=media.pk).state == StoryMedia.State.READY,
        timeout=120,
        what="the retried media job\n" + celery_worker.log_tail(),
    )
    media.refresh_from_db()
    assert media.attempts == 2 and media.failure_message == ""
    assert default_storage.exists(media.master_key)
    entry = AuditEntry.objects.get(action="workers.pipeline.retry")
    assert entry.actor == admin and entry.story_id == media.story_id
    assert entry.before == {"kind": "media", "id": media.pk, "state": "failed", "problem": "failed"}
    assert AuditEntry.objects.filter(action="stories.media.rerun", actor=admin).count() == 1
    page = client.get(URL).content.decode()
    assert f'data-job="media-{media.pk}"' not in page


@pytest.mark.django_db
def test_a_failed_publication_is_queued_again_by_the_publishing_service(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from publishing.youtube.models import Publication

    story = StoryFactory(status="approved", title="Auf YouTube gescheitert")
    attach_media(story)
    publication = Publication.objects.create(
        story=story,
        status=Publication.Status.FAILED,
        failure_reason="YouTube hat das Video abgelehnt: zu lang.",
        attempts=3,
        failed_at=timezone.now() - timedelta(minutes=5),
    )
    client.force_login(make_user("campaign_admin"))
    html = client.get(URL).content.decode()
    assert f'data-job="publication-{publication.pk}" data-problem="failed"' in html
    assert "YouTube hat das Video abgelehnt: zu lang." in html
    with django_capture_on_commit_callbacks() as enqueued:
        response = client.post(f"/betrieb/pipeline/publication/{publication.pk}/retry/")
    assert response.status_code == 302
    assert len(enqueued) == 1  # handed to the publish queue after commit
    publication.refresh_from_db()
    assert publication.status == Publication.Status.QUEUED and publication.failure_reason == ""
    assert AuditEntry.objects.filter(action="workers.pipeline.retry", story=story).count() == 1
