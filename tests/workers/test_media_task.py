"""From a finished tus upload to master, preview and poster, through the real worker."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.core.files.storage import default_storage
from tusclient import client as tus_client

from stories import services
from stories.models import AuditEntry, Story, StoryMedia
from stories.upload_tokens import story_upload_token
from tests.support.services import CeleryWorker, assert_outputs_stored_once, wait_for
from workers.media.samples import make_clip

pytestmark = pytest.mark.worker


@pytest.fixture(scope="module")
def phone_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short portrait clip with the location and device tags a phone writes."""
    return make_clip(
        tmp_path_factory.mktemp("clips") / "phone.mp4",
        width=360,
        height=640,
        duration_s=3,
        metadata={
            "location": "+52.3759+009.7320/",
            "make": "Apple",
            "model": "iPhone 15",
            "creation_time": "2026-05-01T10:00:00Z",
        },
    )


def _upload(live_server: Any, story: Story, path: Path, **kwargs: Any) -> str:
    uploader = tus_client.TusClient(
        f"{live_server.url}/api/v1/uploads/",
        headers={"Upload-Token": story_upload_token(story=story)},
    ).uploader(
        str(path),
        chunk_size=256 * 1024,
        metadata={"filename": "IMG_0001.MOV", "lang": "de"},
        **kwargs,
    )
    uploader.upload()
    return str(uploader.url)


def _media(story: Story) -> StoryMedia | None:
    return StoryMedia.objects.filter(story=story, is_current=True).first()


def _ffprobe(path: str) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    return json.loads(out)


def test_uploaded_video_is_transcoded_by_the_worker(
    celery_worker: CeleryWorker, live_server: Any, phone_clip: Path
) -> None:
    story, _token = services.story_create_draft(language="de")
    _upload(live_server, story, phone_clip)

    wait_for(
        lambda: (m := _media(story)) is not None and m.state == "ready",
        timeout=120,
        what="the media to be ready\n" + celery_worker.log_tail(),
    )
    media = _media(story)
    assert media is not None
    assert media.progress_percent == 100
    for key in (media.master_key, media.preview_key, media.poster_key):
        assert default_storage.exists(key), key
    master = _ffprobe(default_storage.path(media.master_key))
    video = next(s for s in master["streams"] if s["codec_type"] == "video")
    # An H.264 phone clip is copied as it came: YouTube takes it as it is (issue 18).
    assert video["codec_name"] == "h264" and media.summary["master_mode"] == "copy"
    assert video["width"] < video["height"], "portrait stays portrait"
    tags = {k.lower() for k in master["format"].get("tags", {})}
    assert not tags & {"location", "make", "model", "creation_time"}
    assert AuditEntry.objects.filter(story=story, action="stories.media.ready").count() == 1


def test_a_picture_renamed_to_mp4_is_refused_and_the_draft_stays(
    celery_worker: CeleryWorker, live_server: Any, tmp_path: Path, phone_clip: Path
) -> None:
    story, _token = services.story_create_draft(language="de")
    services.story_update_draft(story=story, data={"title": "Mein Weg in die Pflege"})
    picture = tmp_path / "urlaub.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=64x64",
            "-frames:v",
            "1",
            "-f",
            "image2",
            "-c:v",
            "png",
            str(picture),
        ],
        check=True,
    )
    url = _upload(live_server, story, picture)
    status = requests.get(
        f"{url}/status", headers={"Upload-Token": story_upload_token(story=story)}, timeout=10
    ).json()
    assert status["state"] == "rejected"
    assert status["rejection"]["code"] == "not_a_video"
    assert _media(story) is None
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT and story.title == "Mein Weg in die Pflege"

    # Another file works: the draft was never lost.
    _upload(live_server, story, phone_clip)
    wait_for(
        lambda: (m := _media(story)) is not None and m.state == "ready",
        timeout=120,
        what="the second file to be processed",
    )


def test_transcode_killed_mid_run_completes_exactly_once(
    celery_worker: CeleryWorker, live_server: Any, tmp_path: Path
) -> None:
    clip = make_clip(tmp_path / "long.mp4", width=1280, height=720, duration_s=30)
    story, _token = services.story_create_draft(language="de")
    _upload(live_server, story, clip)
    wait_for(
        lambda: (
            (m := _media(story)) is not None and m.state == "transcoding" and m.progress_percent > 0
        ),
        timeout=120,
        what="the transcode to be under way",
    )
    celery_worker.kill_pool_process()
    wait_for(
        lambda: (m := _media(story)) is not None and m.state == "ready",
        timeout=300,
        what="the redelivered transcode to finish\n" + celery_worker.log_tail(),
    )
    media = _media(story)
    assert media is not None and media.attempts == 2
    assert_outputs_stored_once(Path(default_storage.path(media.master_key)).parent)
    assert AuditEntry.objects.filter(story=story, action="stories.media.ready").count() == 1
    # The task removes its work folder (and what the killed attempt left there) in
    # ``finally``, after it committed ``ready``: wait for the folder to go, with a generous
    # limit. The session's worker log holds other tests' tasks too, so it cannot tell when
    # this one returned.
    workdir = settings.MEDIA_WORK_DIR / f"media-{media.pk}"
    wait_for(
        lambda: not workdir.exists(),
        timeout=120,
        what=f"{workdir} to be removed\n" + celery_worker.log_tail(),
    )


@pytest.mark.django_db
def test_branding_follows_the_campaign_settings(settings: Any, tmp_path: Path) -> None:
    from django.core.files.base import ContentFile

    from stories.models import StorySubtitle
    from workers.media_jobs import media_branding as _branding

    story, _token = services.story_create_draft()
    Story.objects.filter(pk=story.pk).update(submitter_name="Amina Beispiel", credit="first_name")
    story.refresh_from_db()
    settings.MEDIA_BRANDING = False
    settings.MEDIA_BURN_SUBTITLES = False
    assert _branding(story, tmp_path) is None

    settings.MEDIA_BRANDING = True
    settings.SITE_URL = "https://geschichten.example.org"
    brand = _branding(story, tmp_path)
    assert brand is not None
    assert (brand.lower_third, brand.outro_text) == ("Amina", "geschichten.example.org/mitmachen/")
    Story.objects.filter(pk=story.pk).update(credit="anonymous")
    story.refresh_from_db()
    assert _branding(story, tmp_path).lower_third == ""  # type: ignore[union-attr]

    key = default_storage.save(
        "subs/t.vtt", ContentFile(b"WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n")
    )
    StorySubtitle.objects.create(story=story, storage_key=key, language="de", cue_count=1)
    settings.MEDIA_BRANDING = False
    settings.MEDIA_BURN_SUBTITLES = True
    brand = _branding(story, tmp_path)
    assert brand is not None and brand.extra_s == 0 and not brand.corner_mark
    assert Path(brand.subtitles_path or "").read_bytes().startswith(b"WEBVTT")
