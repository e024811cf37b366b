"""A takedown makes the video private first; every other step may fail without holding it back.

Against the stand-in over HTTP with the real publish worker. The stand-in refuses the named
methods (``fail_methods``), one after the other and all together; what the product shows is
read from the pipeline page and the publication page as a campaign admin sees them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from publishing.youtube import services
from publishing.youtube import takedown as steps
from publishing.youtube.models import Publication
from stories.models import Story
from tests.publishing.youtube.conftest import Standin
from tests.support.services import wait_for

from .conftest import PublishWorker, wait_for_status

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

P = Publication.Status
# Every call a private-mode takedown may make after its first one.
CLEANUP_METHODS = ("playlistItems.list", "playlistItems.delete", "playlists.list", "videos.list")


def _published(story_factory: Callable[..., Story], worker: PublishWorker) -> Publication:
    story = story_factory()
    services.publication_request(story=story, actor=None)
    return wait_for_status(story, P.PUBLISHED, worker)


def _page(user: Any, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize("refused", [*CLEANUP_METHODS, "all"])
def test_the_video_is_private_even_when_every_other_step_is_refused(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    admin_user: Any,
    refused: str,
) -> None:
    publish_worker.ensure(YOUTUBE_TAKEDOWN_MODE="private")
    publication = _published(story_factory, publish_worker)
    video_id = publication.video_id
    assert youtube_standin.state()["videos"][video_id]["privacyStatus"] == "public"
    methods = CLEANUP_METHODS if refused == "all" else (refused,)
    youtube_standin.faults(fail_methods={method: 403 for method in methods})

    services.publication_takedown_request(
        story=publication.story, actor=admin_user, reason="Person widerspricht"
    )
    done = wait_for_status(publication.story, P.TAKEN_DOWN, publish_worker, timeout=60)
    assert youtube_standin.state()["videos"][video_id]["privacyStatus"] == "private"
    assert done.takedown_reached_at is not None
    assert done.takedown_steps[0]["step"] == "video"
    assert done.takedown_steps[0]["outcome"] == "private"
    if refused in ("playlistItems.list", "all"):
        # The clean-up failed and says so, on the pipeline page too.
        def cleanup_failed() -> bool:
            return bool(steps.failing_steps(Publication.objects.get(pk=publication.pk)))

        wait_for(cleanup_failed, timeout=60, what="the refused clean-up recorded")
        failing = steps.failing_steps(Publication.objects.get(pk=publication.pk))
        assert failing and all(step["step"].startswith("playlist:") for step in failing)
        page = _page(admin_user, "/betrieb/pipeline/")
        assert "Entfernung von YouTube fehlgeschlagen" in page
        assert "Aufräumen der Playlist" in page
        assert "Nichts ist fehlgeschlagen" not in page


def test_a_refused_first_step_is_visible_and_alerts_the_admins_after_15_minutes(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    admin_user: Any,
) -> None:
    publish_worker.ensure(YOUTUBE_TAKEDOWN_MODE="private")
    publication = _published(story_factory, publish_worker)
    youtube_standin.faults(fail_methods={"videos.update": 403})
    services.publication_takedown_request(story=publication.story, actor=admin_user, reason="x")

    def failed_once() -> bool:
        row = Publication.objects.get(pk=publication.pk)
        return bool(steps.failing_steps(row))

    wait_for(failed_once, timeout=60, what="the refused video step recorded")
    row = Publication.objects.get(pk=publication.pk)
    assert row.status == P.TAKEDOWN_REQUESTED and row.takedown_reached_at is None
    assert "videos.update" not in row.last_error or "forbidden" in row.last_error
    pipeline = _page(admin_user, "/betrieb/pipeline/")
    assert "Entfernung von YouTube fehlgeschlagen" in pipeline
    assert "Das Video ist noch nicht privat oder gelöscht" in pipeline
    detail = _page(admin_user, f"/publishing/publications/{publication.pk}/")
    assert "Das Video ist noch nicht privat oder gelöscht" in detail

    # Not yet 15 minutes: no mail. Then the request lies 16 minutes back: one mail, once.
    mail.outbox.clear()
    assert steps.alert_overdue() == []
    Publication.objects.filter(pk=publication.pk).update(
        takedown_requested_at=timezone.now() - timedelta(minutes=16)
    )
    assert steps.alert_overdue() == [publication.pk]
    assert steps.alert_overdue() == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kampagne@example.org"]
    assert publication.video_id in message.body and "Privat" in message.body

    # YouTube accepts again: the pipeline page's retry brings the video down.
    youtube_standin.faults()
    client = Client()
    client.force_login(admin_user)
    response = client.post(f"/betrieb/pipeline/publication/{publication.pk}/retry/")
    assert response.status_code in (302, 303), response.status_code
    wait_for_status(publication.story, P.TAKEN_DOWN, publish_worker, timeout=60)
    assert youtube_standin.state()["videos"][publication.video_id]["privacyStatus"] == "private"


def test_a_scheduled_publish_at_is_not_sent_back_with_the_private_status(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
) -> None:
    """A private video with publishAt would go public at that time (Google's docs)."""
    publication = _published(story_factory, publish_worker)
    Publication.objects.filter(pk=publication.pk).update(
        metadata={
            **publication.metadata,
            "status": {**publication.metadata["status"], "publishAt": "2099-01-01T00:00:00Z"},
        }
    )
    services.publication_takedown_request(story=publication.story, actor=None, reason="x")
    wait_for_status(publication.story, P.TAKEN_DOWN, publish_worker, timeout=60)
    assert youtube_standin.state()["videos"][publication.video_id]["privacyStatus"] == "private"


def test_beat_runs_the_takedown_watch_and_the_reconciliation_by_name() -> None:
    from config.celery_app import _beat_schedule, app

    schedule = _beat_schedule()
    names = {entry["task"] for entry in schedule.values()}
    assert "workers.tasks.publish.takedown_watch" in names
    assert "workers.tasks.publish.reconcile_youtube" in names
    assert schedule["youtube-takedown-watch"]["schedule"] <= 60  # well inside the 15 minutes
    app.loader.import_default_modules()
    assert {"workers.tasks.publish.takedown_watch", "workers.tasks.publish.reconcile_youtube"} <= (
        set(app.tasks)
    )
