"""The reconciler finds jobs the database says are pending and sends them again."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.support.services import RedisServer
from workers.reconcile import reconcile_all, registered

pytestmark = pytest.mark.django_db


def _queued(redis_server: RedisServer, queue: str) -> list[str]:
    names = []
    for raw in redis_server.client().lrange(queue, 0, -1):
        names.append(json.loads(raw)["headers"]["task"])
    return names


def test_every_kind_of_job_is_registered() -> None:
    import workers.tasks.kits
    import workers.tasks.media
    import workers.tasks.publish  # noqa: F401

    assert {"media", "partner-kit", "publication"} <= {kind.name for kind in registered()}


def test_lost_media_and_kit_jobs_are_sent_again(
    redis_server: RedisServer, settings: object
) -> None:
    from publishing.partners.models import PartnerKit
    from stories.models import StoryMedia
    from stories.services import story_create_draft
    from stories.uploads.models import Upload

    redis_server.client().delete("transcode", "default")
    long_ago = timezone.now() - timedelta(hours=2)
    story, _token = story_create_draft()
    upload = Upload.objects.create(
        owner_key=str(story.public_id),
        length=1,
        offset=1,
        state=Upload.State.COMPLETED,
        storage_key="x",
        expires_at=timezone.now(),
    )
    lost = StoryMedia.objects.create(story=story, upload=upload, enqueued_at=long_ago)
    kit = PartnerKit.objects.create(
        slot="public-test", status=PartnerKit.Status.STALE, requested_at=long_ago
    )
    fresh_story, _ = story_create_draft()
    fresh_upload = Upload.objects.create(
        owner_key=str(fresh_story.public_id),
        length=1,
        offset=1,
        state=Upload.State.COMPLETED,
        storage_key="y",
        expires_at=timezone.now(),
    )
    StoryMedia.objects.create(story=fresh_story, upload=fresh_upload, enqueued_at=timezone.now())

    counts = reconcile_all(now=timezone.now())
    assert counts["media"] == 1 and counts["partner-kit"] == 1
    assert _queued(redis_server, "transcode") == ["workers.tasks.media.process_media"]
    assert "workers.tasks.kits.generate_kit" in _queued(redis_server, "default")
    assert lost.pk and kit.pk
