"""The whole worker is SIGKILLed mid-transcode: main process and pool, nothing acknowledged.

Unlike a killed pool process (``tests/workers/test_media_task.py``), where Celery's main
process rejects the message and Redis redelivers it at once, a dead main process leaves
the message unacknowledged in Redis until the visibility timeout (hours). The restarted
worker does not get it; the reconciler finds the job stuck from the database row and
re-enqueues it, and it completes exactly once.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage

from stories import services
from stories.models import AuditEntry, StoryMedia
from stories.upload_tokens import story_upload_token
from tests.support.services import (
    CeleryWorker,
    RedisServer,
    assert_outputs_stored_once,
    wait_for,
)
from tests.support.tasks import slow_count
from workers.media.samples import make_clip

from .conftest import reconcile_later, tus_upload

pytestmark = pytest.mark.worker


def _media(story: Any) -> StoryMedia | None:
    return StoryMedia.objects.filter(story=story, is_current=True).first()


def test_whole_worker_killed_mid_transcode_is_reconciled_and_completes_once(
    celery_worker: CeleryWorker,
    redis_server: RedisServer,
    live_server: Any,
    seeded: None,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.UPLOAD_TEMP_DIR = tmp_path / "uploads"
    clip = make_clip(tmp_path / "long.mp4", width=960, height=540, duration_s=20)
    story, _token = services.story_create_draft(language="de")
    tus_upload(live_server.url, clip, token=story_upload_token(story=story))
    wait_for(
        lambda: (
            (m := _media(story)) is not None
            and m.state == StoryMedia.State.TRANSCODING
            and m.progress_percent > 0
        ),
        timeout=120,
        what="the transcode to be under way\n" + celery_worker.log_tail(),
    )
    celery_worker.kill()
    celery_worker.stop()  # closes the log of the dead process
    celery_worker.start()

    # The restarted worker does not see the unacknowledged message: the job stays stuck.
    # Shown by a condition, not a pause: a probe task sent to the same queue after the
    # restart has run, so the worker has taken everything that queue could give it.
    probe = f"probe:{uuid.uuid4().hex}"
    slow_count.apply_async((probe, 0), queue="transcode")
    wait_for(
        lambda: redis_server.client().get(f"{probe}:finished") == b"1",
        timeout=120,
        what="the restarted worker to run a probe task\n" + celery_worker.log_tail(),
    )
    media = _media(story)
    assert media is not None
    assert media.state in (StoryMedia.State.PROBING, StoryMedia.State.TRANSCODING)
    assert media.attempts == 1
    assert reconcile_later(seconds=0)["media"] == 0  # not stuck yet by the clock

    counts = reconcile_later(seconds=settings.CELERY_LONGEST_HARD_LIMIT + 60)
    assert counts["media"] == 1, counts
    wait_for(
        lambda: (m := _media(story)) is not None and m.state == StoryMedia.State.READY,
        timeout=180,
        what="the reconciled transcode to finish\n" + celery_worker.log_tail(),
    )
    media = _media(story)
    assert media is not None and media.attempts == 2
    assert_outputs_stored_once(Path(default_storage.path(media.master_key)).parent)
    assert AuditEntry.objects.filter(story=story, action="stories.media.ready").count() == 1
    assert reconcile_later(seconds=settings.CELERY_LONGEST_HARD_LIMIT + 60)["media"] == 0
