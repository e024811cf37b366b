"""Every page that shows a video job says in words when it failed or nobody works on it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stories.links import status_token
from stories.models import Story, StoryMedia
from tests.moderation.factories import StoryFactory, attach_media, make_user

pytestmark = pytest.mark.django_db

IN_PROGRESS = "Das Video wird verarbeitet"


def _status_page(story: Story) -> str:
    response = Client().get(f"/status/{status_token(public_id=str(story.public_id))}/")
    assert response.status_code == 200
    return response.content.decode()


def _stuck(media: StoryMedia, settings: Any) -> None:
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_LONGEST_HARD_LIMIT + 60)
    StoryMedia.objects.filter(pk=media.pk).update(
        state=StoryMedia.State.TRANSCODING, progress_percent=40, attempts=6, started_at=long_ago
    )


def test_status_page_shows_a_failed_video_with_the_next_step() -> None:
    story = StoryFactory()
    media = attach_media(story, state=StoryMedia.State.FAILED)
    StoryMedia.objects.filter(pk=media.pk).update(failure_message="Die Datei ist kein Video.")
    page = _status_page(story)
    assert "Die Datei ist kein Video." in page
    assert "anderes Video schicken sollen" in page
    assert IN_PROGRESS not in page


def test_status_page_does_not_show_a_dead_job_as_in_progress(settings: Any) -> None:
    story = StoryFactory()
    _stuck(attach_media(story), settings)
    page = _status_page(story)
    assert 'data-media-state="stuck"' in page
    assert "ins Stocken geraten" in page
    assert IN_PROGRESS not in page


def test_a_running_job_still_shows_its_progress() -> None:
    story = StoryFactory()
    media = attach_media(story)
    StoryMedia.objects.filter(pk=media.pk).update(
        state=StoryMedia.State.TRANSCODING, progress_percent=40, started_at=timezone.now()
    )
    assert "Das Video wird verarbeitet (40 %)" in _status_page(story)


def test_moderation_pages_show_a_dead_job_as_stuck(settings: Any) -> None:
    moderator = make_user("moderator", "mia")
    client = Client()
    client.force_login(moderator)
    story = StoryFactory()
    _stuck(attach_media(story), settings)
    review = client.get(f"/moderation/stories/{story.pk}/").content.decode()
    assert 'data-media-state="stuck"' in review
    assert "ohne Fortschritt" in review
    queue = client.get("/moderation/").content.decode()
    assert "media-stuck" in queue and "Wird umgewandelt 40" not in queue
