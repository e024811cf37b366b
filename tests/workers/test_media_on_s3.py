"""Workers on other machines share media through S3-compatible storage.

The web side (the live server) stores a tus upload in S3 (moto's server, real HTTP); a
separate worker process configured only by environment variables for S3 fetches the
original, transcodes it and stores master, preview and poster back in the bucket. The
media tasks go to a private queue, so the session's local-storage worker stays out of it.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tusclient import client as tus_client

from stories.models import StoryMedia
from stories.services import story_create_draft
from stories.upload_tokens import story_upload_token
from tests.support import s3
from tests.support.services import CeleryWorker, routed, wait_for
from workers.media.samples import make_clip

pytestmark = pytest.mark.worker

BUCKET = "zm-shared-media"
QUEUE = f"transcode-s3-{os.getpid()}"


@pytest.fixture
def media_to_private_queue() -> Iterator[None]:
    with routed("workers.tasks.media.*", QUEUE):
        yield


@pytest.fixture
def s3_worker(
    process_env: dict[str, str], s3_endpoint: str, session_dir: Path, transactional_db: None
) -> Iterator[CeleryWorker]:
    s3.create_bucket(s3_endpoint, BUCKET)
    env = {
        **process_env,
        **s3.worker_env(s3_endpoint, BUCKET),
        "MEDIA_ROOT": str(session_dir / "not-used-by-the-s3-worker"),
    }
    worker = CeleryWorker(env=env, queues=QUEUE, log_path=session_dir / "s3-worker.log")
    worker.start()
    yield worker
    worker.stop()


def test_upload_to_s3_is_transcoded_by_a_worker_sharing_only_the_bucket(
    s3_worker: CeleryWorker,
    media_to_private_queue: None,
    live_server: Any,
    s3_endpoint: str,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": s3.storage_settings(s3_endpoint, BUCKET)}
    settings.UPLOAD_TEMP_DIR = tmp_path / "uploads"
    story, _token = story_create_draft()
    clip = make_clip(tmp_path / "phone.mp4", width=320, height=240, duration_s=2)
    tus_client.TusClient(
        f"{live_server.url}/api/v1/uploads/",
        headers={"Upload-Token": story_upload_token(story=story)},
    ).uploader(str(clip), chunk_size=256 * 1024).upload()

    from stories.uploads.models import Upload

    upload = Upload.objects.get(owner_key=str(story.public_id))
    assert upload.state == Upload.State.COMPLETED, (upload.state, upload.rejection_reason)
    assert StoryMedia.objects.filter(story=story).exists(), "the upload was not attached"

    def ready() -> bool:
        media = StoryMedia.objects.filter(story=story, is_current=True).first()
        return media is not None and media.state in ("ready", "failed")

    try:
        wait_for(ready, timeout=120, what="the S3 worker to finish")
    except TimeoutError as error:
        raise AssertionError(f"{error}\n{s3_worker.log_tail(80)}") from error
    media = StoryMedia.objects.get(story=story, is_current=True)
    assert media.state == "ready", media.failure_message + media.technical_detail
    keys = {obj["Key"] for obj in s3.client(s3_endpoint).list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {media.master_key, media.preview_key, media.poster_key} <= keys
    assert media.upload.storage_key in keys  # the original came through S3 too

    local = tmp_path / "master.mp4"
    s3.client(s3_endpoint).download_file(BUCKET, media.master_key, str(local))
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(local)],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    )
    assert probe["streams"][0]["codec_name"] == "h264"
    assert not (Path(s3_worker.env["MEDIA_ROOT"])).exists()
