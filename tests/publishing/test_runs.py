"""The publish-queue runs are plain functions: callable without Celery, they say what follows."""

from __future__ import annotations

import pytest

from publishing.youtube import lifecycle, runs, services
from publishing.youtube.models import Publication
from stories.models import AuditEntry

from .conftest import make_approved_story

P = Publication.Status


@pytest.mark.django_db
def test_a_poll_of_a_publication_not_processing_does_nothing() -> None:
    publication = lifecycle.publication_open(
        story=make_approved_story(), actor=None, audit_after={}
    )
    assert runs.poll_run(publication_id=publication.pk) == runs.DONE
    assert runs.poll_run(publication_id=publication.pk + 1000) == runs.DONE


@pytest.mark.django_db
def test_a_takedown_run_without_publication_records_that_nothing_was_published() -> None:
    story = make_approved_story()
    story.status = story.Status.WITHDRAWN  # the test's own row, not a service
    story.save(update_fields=["status"])
    assert runs.takedown_run(story_id=story.pk) == runs.DONE
    assert runs.takedown_run(story_id=story.pk) == runs.DONE
    entries = AuditEntry.objects.filter(
        story=story, action="publishing.publication.takedown_nothing"
    )
    assert entries.count() == 1


@pytest.mark.django_db
def test_the_next_task_follows_the_publications_state() -> None:
    publication = lifecycle.publication_open(
        story=make_approved_story(), actor=None, audit_after={}
    )
    assert services.queue.publication_next_task(publication) == services.queue.PUBLISH_TASK
    Publication.objects.filter(pk=publication.pk).update(video_id="abc", extras_done=True)
    lifecycle.publication_transition(publication_id=publication.pk, to=P.PROCESSING, action="t")
    publication.refresh_from_db()
    assert services.queue.publication_next_task(publication) == services.queue.POLL_TASK


def test_playlist_titles_are_the_campaign_and_the_region_or_topic() -> None:
    from django.conf import settings

    from stories.models import Region, Story, Topic

    story = Story(
        region=Region(slug="celle", name="Celle"), topic=Topic(slug="arbeit", name="Arbeit")
    )
    assert services.playlist_targets(story) == [
        ("region", "celle", f"{settings.CAMPAIGN_NAME} – Celle"),
        ("topic", "arbeit", f"{settings.CAMPAIGN_NAME} – Arbeit"),
    ]
    story.region = Region(slug="andere", name="Andere", is_other=True)
    assert [kind for kind, _key, _title in services.playlist_targets(story)] == ["topic"]


def test_takedown_steps_read_in_the_readers_language() -> None:
    from django.utils import translation

    from publishing.youtube.takedown import step_line

    with translation.override("en"):
        assert step_line({"step": "video", "outcome": "private"}) == "Video: made private"
        assert (
            step_line({"step": "playlist:PL1", "outcome": "done", "removed": 2})
            == "Playlist PL1: Entries removed: 2"
        )
    with translation.override("de"):
        assert step_line({"step": "video", "outcome": "deleted"}) == "Video: gelöscht"
