"""A story's way to YouTube through the real worker and the stand-in: upload, crash, quota."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from publishing.youtube import services
from publishing.youtube.api import next_reset
from publishing.youtube.models import Playlist, Publication, QuotaLedger
from publishing.youtube.selectors import publication_find_stuck
from stories.models import AuditEntry, Story
from tests.publishing.youtube.conftest import Standin
from tests.support.services import wait_for

from .conftest import CHUNK, PublishWorker, publication_of, videos_titled, wait_for_status

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

P = Publication.Status


def test_a_story_is_published_with_thumbnail_and_playlists(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    publisher_user: Any,
) -> None:
    story = story_factory(text="Amina kam 2016 nach Celle <3. Heute leitet sie eine Werkstatt.")
    publication = services.publication_request(story=story, actor=publisher_user)
    assert publication.status == P.QUEUED
    assert "‹" in publication.metadata["snippet"]["description"]  # "<" is fixed up front

    publication = wait_for_status(story, P.PUBLISHED, publish_worker)
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
    videos = videos_titled(youtube_standin, story.title)
    assert list(videos) == [publication.video_id]
    video = videos[publication.video_id]
    assert video["has_thumbnail"] and publication.thumbnail_set
    assert not publication.captions_set and video["captions"] == []  # no subtitles given
    assert sorted(video["playlists"]) == sorted(publication.playlists)
    assert len(publication.playlists) == 2
    titles = set(Playlist.objects.values_list("title", flat=True))
    assert titles == {"ZUSAMMEN. MEHR. – Celle", "ZUSAMMEN. MEHR. – Arbeit und Ausbildung"}
    assert publication.confirmed_offset == publication.total_bytes == 4 * CHUNK + 999
    assert publication.session_uri

    ledger = dict(QuotaLedger.objects.values_list("method", "cost").distinct())
    assert ledger["videos.insert"] == 1600 and ledger["thumbnails.set"] == 50
    actions = list(
        AuditEntry.objects.filter(story=story, action__startswith="publishing.").values_list(
            "action", flat=True
        )
    )
    assert actions[0] == "publishing.publication.queued"
    assert "publishing.publication.uploaded" in actions
    assert actions[-2:] == ["publishing.publication.published", "publishing.story.published"]


def test_the_submitters_subtitles_become_a_caption_track(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    publisher_user: Any,
) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from stories.models import StorySubtitle

    story = story_factory()
    key = default_storage.save(
        f"stories/{story.public_id}/subtitles/test.vtt",
        ContentFile(b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nIch heisse Amina.\n"),
    )
    StorySubtitle.objects.create(story=story, storage_key=key, language="de", cue_count=1)
    services.publication_request(story=story, actor=publisher_user)
    publication = wait_for_status(story, P.PUBLISHED, publish_worker)
    assert publication.captions_set
    video = videos_titled(youtube_standin, story.title)[publication.video_id]
    assert len(video["captions"]) == 1
    assert QuotaLedger.objects.filter(method="captions.insert", cost=400).count() == 1


def test_a_worker_killed_mid_upload_resumes_from_the_stored_offset(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
) -> None:
    size = 16 * CHUNK + 4321
    story = story_factory(master_size=size)
    # The 6th chunk PUT gets a 503: the library backs off for a moment, the kill lands there.
    youtube_standin.faults(chunk_errors={"6": 503})
    services.publication_request(story=story, actor=None)
    wait_for(
        lambda: Publication.objects.filter(story=story, confirmed_offset__gte=5 * CHUNK).exists(),
        timeout=60,
        what="five chunks confirmed",
        interval=0.02,
    )
    holder = publication_of(story).claimed_by
    os.kill(int(holder.rsplit(":", 1)[1]), signal.SIGKILL)  # the pool process, as the OOM killer

    publication = wait_for_status(story, P.PUBLISHED, publish_worker, timeout=120)
    assert publication.claimed_by == ""
    assert publication.attempts >= 2
    state = youtube_standin.state()
    assert list(videos_titled(youtube_standin, story.title)) == [publication.video_id]
    counters = state["counters"]
    assert counters["chunk_bytes_stored"] == size  # every byte stored exactly once
    # 17 chunks, one refused with 503, at most one re-sent after the crash.
    assert counters["chunks_received"] <= 17 + 1 + 1
    assert counters["status_queries"] >= 1  # the new worker asked YouTube for the offset
    assert state["sessions"][publication.session_uri.split("upload_id=")[1]]["total"] == size
    assert AuditEntry.objects.filter(story=story, action="publishing.publication.resumed").exists()


def test_a_503_on_a_chunk_is_retried_within_the_task(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
) -> None:
    story = story_factory()
    youtube_standin.faults(chunk_errors={"2": 503})
    services.publication_request(story=story, actor=None)
    publication = wait_for_status(story, P.PUBLISHED, publish_worker)
    assert publication.attempts == 1
    counters = youtube_standin.state()["counters"]
    assert counters["injected_errors"] == 1
    assert counters["chunk_bytes_stored"] == publication.total_bytes


@pytest.mark.parametrize(
    "fault", [{"quota_exhausted": True}, {"upload_limit": True}], ids=["quota", "upload-limit"]
)
def test_quota_exhausted_waits_for_midnight_pacific_then_finishes(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    fault: dict[str, Any],
) -> None:
    from workers.reconcile import reconcile_all

    story = story_factory()
    youtube_standin.faults(**fault)
    before = timezone.now()
    services.publication_request(story=story, actor=None)
    publication = wait_for_status(story, P.WAITING_FOR_QUOTA, publish_worker)
    assert publication.resume_at == next_reset(before)
    assert not videos_titled(youtube_standin, story.title)

    # The reconciler leaves it alone until the quota day is over...
    assert publication.pk not in publication_find_stuck(timezone.now())
    # ...then, the next day (time travel), it is re-enqueued and finishes.
    youtube_standin.reset_quota()
    Publication.objects.filter(pk=publication.pk).update(
        resume_at=timezone.now() - timedelta(seconds=1)
    )
    assert reconcile_all(now=timezone.now())["publication"] >= 1
    publication = wait_for_status(story, P.PUBLISHED, publish_worker)
    assert len(videos_titled(youtube_standin, story.title)) == 1


def test_our_own_ledger_holds_back_an_upload_that_would_not_fit(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
) -> None:
    story = story_factory()
    for _ in range(6):
        services.quota_record_call(method="videos.insert", cost=1600)  # 9,600 units used
    services.publication_request(story=story, actor=None)
    publication = wait_for_status(story, P.WAITING_FOR_QUOTA, publish_worker)
    assert publication.resume_at is not None and publication.resume_at > timezone.now()
    assert youtube_standin.state()["counters"]["sessions_created"] == 0


def test_the_same_task_delivered_twice_makes_one_video(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
) -> None:
    from workers.tasks.publish import publish_story

    story = story_factory(master_size=12 * CHUNK)
    publication = services.publication_request(story=story, actor=None)
    publish_story.delay(publication.pk)
    publish_story.delay(publication.pk)
    publication = wait_for_status(story, P.PUBLISHED, publish_worker)
    # A late duplicate after publication changes nothing either.
    publish_story.delay(publication.pk)
    wait_for(
        lambda: youtube_standin.state()["counters"]["calls"].get("videos.list", 0) >= 1,
        timeout=10,
        what="the polls",
    )
    assert list(videos_titled(youtube_standin, story.title)) == [publication.video_id]
    assert youtube_standin.state()["counters"]["videos_created"] == 1
    assert publication_of(story).status == P.PUBLISHED


def test_invalid_grant_pauses_publishing_and_mails_the_admins(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    admin_user: Any,
    mail_dir: Any,
) -> None:
    story = story_factory()
    mails_before = set(mail_dir.iterdir())
    youtube_standin.faults(revoke_all_refresh_tokens=True)
    services.publication_request(story=story, actor=None)
    wait_for(
        lambda: services.channel_get().status == "reconnect_required",  # type: ignore[union-attr]
        timeout=60,
        what="the channel to need reconnecting\n" + publish_worker.log_tail(),
    )
    wait_for(
        lambda: Publication.objects.filter(story=story, claimed_by="").exists(),
        timeout=30,
        what="the worker to let go",
    )
    publication = publication_of(story)
    assert publication.status == P.QUEUED  # nothing lost, only paused
    assert not videos_titled(youtube_standin, story.title)
    wait_for(lambda: set(mail_dir.iterdir()) - mails_before != set(), timeout=10, what="mail")
    mail = "".join(p.read_text() for p in set(mail_dir.iterdir()) - mails_before)
    assert "kampagne@example.org" in mail
    assert "/publishing/channel/" in mail

    # Reconnecting resumes the queue.
    youtube_standin.faults()
    services.channel_connect(refresh_token="1//standin-after-reconnect", actor=admin_user)
    wait_for_status(story, P.PUBLISHED, publish_worker)
    assert len(videos_titled(youtube_standin, story.title)) == 1


def test_youtube_refusals_fail_with_a_reason_for_the_publisher(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
) -> None:
    # Metadata that slipped past compose_metadata (written straight into the row).
    refused = story_factory()
    Publication.objects.create(
        story=refused,
        metadata={"snippet": {"title": "a <b> title", "categoryId": "29"}, "status": {}},
    )
    from workers.tasks.publish import publish_story

    publish_story.delay(Publication.objects.get(story=refused).pk)
    failed = wait_for_status(refused, P.FAILED, publish_worker)
    assert "länger als 100 Zeichen oder enthält < oder >" in failed.failure_reason
    with translation.override("en"):
        assert "100 characters or contains < or >" in failed.failure_text

    # YouTube rejects the video after processing (e.g. a duplicate).
    youtube_standin.faults(processing="rejected")
    rejected = story_factory()
    services.publication_request(story=rejected, actor=None)
    failed = wait_for_status(rejected, P.FAILED, publish_worker)
    assert "rejected: duplicate" in failed.failure_reason
    rejected.refresh_from_db()
    assert rejected.status == Story.Status.APPROVED
