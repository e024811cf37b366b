"""The progress written to the media row moves through the whole job, not only at its end.

ffmpeg 5.1 wrote no progress until every output had its header, so the row stayed at 0 % for
most of a run and then jumped. Here the test reads the row while the real worker runs a job
and counts the distinct values it saw, by band; nothing is decided by wall-clock time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from tusclient import client as tus_client

from stories import services
from stories.models import StoryMedia
from stories.upload_tokens import story_upload_token
from tests.support.services import CeleryWorker
from workers.media.samples import make_clip

pytestmark = pytest.mark.worker


def test_progress_on_the_media_row_rises_through_the_job(
    celery_worker: CeleryWorker, live_server: Any, tmp_path: Path
) -> None:
    clip = make_clip(tmp_path / "clip.mp4", width=640, height=360, duration_s=12)
    story, _token = services.story_create_draft(language="de")
    tus_client.TusClient(
        f"{live_server.url}/api/v1/uploads/",
        headers={"Upload-Token": story_upload_token(story=story)},
    ).uploader(str(clip), chunk_size=1024 * 1024).upload()
    seen: list[tuple[str, float, float | None]] = []
    limit = time.monotonic() + 180  # a generous bound, not a timing assertion
    while time.monotonic() < limit:
        row = (
            StoryMedia.objects.filter(story=story)
            .values_list("state", "progress_percent", "eta_seconds")
            .first()
        )
        if row is not None:
            if not seen or seen[-1] != row:
                seen.append(row)
            if row[0] in ("ready", "failed"):
                break
        time.sleep(0.02)
    assert seen and seen[-1][0] == "ready", seen[-5:] or celery_worker.log_tail()
    running = [percent for state, percent, _eta in seen if state == "transcoding"]
    distinct = sorted(set(running))
    assert len(distinct) >= 8, seen
    assert any(0 < p < 20 for p in distinct), seen  # checks and loudness report too
    assert any(20 <= p < 80 for p in distinct), seen
    assert any(80 <= p < 100 for p in distinct), seen
    assert running == sorted(running), seen
    assert any(eta for state, _p, eta in seen if state == "transcoding"), seen
