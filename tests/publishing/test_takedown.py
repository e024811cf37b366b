"""Taking a published video down: moderator takedown (private or delete) and withdrawal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from publishing.youtube import services
from publishing.youtube.models import Publication
from stories.models import AuditEntry, Story
from stories.services import story_withdraw
from tests.publishing.youtube.conftest import Standin

from .conftest import PublishWorker, wait_for_status

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

P = Publication.Status


def _published(story_factory: Callable[..., Story], worker: PublishWorker) -> Publication:
    story = story_factory()
    services.publication_request(story=story, actor=None)
    return wait_for_status(story, P.PUBLISHED, worker)


@pytest.mark.parametrize("mode", ["private", "delete"])
def test_a_moderator_takes_a_published_video_down(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    publisher_user: Any,
    mode: str,
) -> None:
    publish_worker.ensure(YOUTUBE_TAKEDOWN_MODE=mode)
    publication = _published(story_factory, publish_worker)
    video_id = publication.video_id
    assert youtube_standin.state()["videos"][video_id]["playlists"]

    requested = services.publication_takedown_request(
        story=publication.story, actor=publisher_user, reason="Person im Video widerspricht"
    )
    assert requested is not None and requested.status == P.TAKEDOWN_REQUESTED
    done = wait_for_status(publication.story, P.TAKEN_DOWN, publish_worker)
    videos = youtube_standin.state()["videos"]
    if mode == "delete":
        assert video_id not in videos
    else:
        assert videos[video_id]["privacyStatus"] == "private"
        assert videos[video_id]["playlists"] == []
    assert done.taken_down_at is not None
    entry = AuditEntry.objects.get(
        story=publication.story, action="publishing.publication.takedown_requested"
    )
    assert entry.actor == publisher_user and entry.comment == "Person im Video widerspricht"
    assert AuditEntry.objects.filter(
        story=publication.story, action="publishing.publication.taken_down"
    ).exists()


def test_a_withdrawal_by_the_submitter_reaches_youtube(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
) -> None:
    from workers.reconcile import reconcile_all

    publication = _published(story_factory, publish_worker)
    story_withdraw(story=publication.story, comment="status page")
    # story_withdraw enqueues the takedown by task name; the reconciler finds it regardless.
    reconcile_all(now=timezone.now())
    wait_for_status(publication.story, P.TAKEN_DOWN, publish_worker)
    video = youtube_standin.state()["videos"][publication.video_id]
    assert video["privacyStatus"] == "private"


def test_withdrawn_before_upload_nothing_reaches_youtube(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
) -> None:
    story = story_factory()
    # Publishing is paused (quota), the submitter withdraws meanwhile.
    youtube_standin.faults(quota_exhausted=True)
    services.publication_request(story=story, actor=None)
    publication = wait_for_status(story, P.WAITING_FOR_QUOTA, publish_worker)
    story_withdraw(story=story)
    youtube_standin.reset_quota()
    Publication.objects.filter(pk=publication.pk).update(resume_at=timezone.now())
    from workers.reconcile import reconcile_all

    reconcile_all(now=timezone.now())
    done = wait_for_status(story, P.TAKEN_DOWN, publish_worker)
    assert done.video_id == ""
    assert youtube_standin.state()["counters"]["sessions_created"] == 0
    entry = AuditEntry.objects.filter(story=story, action="publishing.publication.taken_down")
    assert entry.get().comment == "Nichts wurde auf YouTube veröffentlicht."


def test_a_takedown_without_publication_records_that_nothing_was_published(
    transactional_db: None,
) -> None:
    from .conftest import make_approved_story

    story = make_approved_story()
    assert services.publication_takedown_request(story=story, actor=None, reason="") is None
    assert AuditEntry.objects.filter(
        story=story, action="publishing.publication.takedown_nothing"
    ).exists()


def test_erasure_deletes_the_video_even_in_private_mode(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    admin_user: Any,
) -> None:
    from stories.privacy import story_erase

    publish_worker.ensure(YOUTUBE_TAKEDOWN_MODE="private")
    publication = _published(story_factory, publish_worker)
    story_erase(story=publication.story, actor=admin_user)
    wait_for_status(publication.story, P.TAKEN_DOWN, publish_worker)
    assert publication.video_id not in youtube_standin.state()["videos"]
