"""Hole 9: no stored file keeps a location or device tag, and /media/ is not a public folder.

The upload goes through the real tus endpoint and the real Celery worker with real ffmpeg;
every file the job leaves in media storage for the story is read back with ffprobe.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import clear_url_caches
from django.utils import timezone
from tusclient import client as tus_client

from stories import services
from stories.models import Story, StoryMedia
from stories.upload_tokens import story_upload_token
from stories.uploads.models import Upload
from tests.stories.lifecycle import story_move_to
from tests.support.services import CeleryWorker, routed, wait_for
from workers.media import samples

LOCATION = "+52.3758+009.7320/"
PHONE_TAGS = {
    "location": LOCATION,
    "location-eng": LOCATION,
    "com.apple.quicktime.location.ISO6709": "+52.3758+009.7320+055.000/",
    "com.apple.quicktime.make": "Apple",
    "com.apple.quicktime.model": "iPhone 15 Pro",
    "make": "Apple",
    "model": "iPhone 15 Pro",
    "creation_time": "2026-05-01T10:00:00Z",
}
PRIVATE_KEYS = ("location", "iso6709", "make", "model", "creation_time", "timecode")


def _ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams",
         "-show_chapters", str(path)],
        capture_output=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    return json.loads(out)


def _leaks(path: Path) -> list[str]:
    """Every private tag, chapter and data stream ffprobe finds in ``path``."""
    if path.suffix == ".jpg" or path.suffix == ".webp":
        from PIL import Image

        with Image.open(path) as image:
            found = [f"exif:{k}" for k in image.getexif()]
    else:
        try:
            info = _ffprobe(path)
        except subprocess.CalledProcessError:
            info = {"format": {}, "streams": []}  # unreadable: the bytes below still count
        scopes = [info["format"], *info["streams"], *info.get("chapters", [])]
        found = [
            f"{scope.get('index', 'format')}:{key}"
            for scope in scopes
            for key in (scope.get("tags") or {})
            if any(private in key.lower() for private in PRIVATE_KEYS)
        ]
        found += [f"stream:{s['codec_type']}" for s in info["streams"] if s["codec_type"] == "data"]
        found += [f"chapter:{c['id']}" for c in info.get("chapters", [])]
    raw = path.read_bytes()
    found += [f"bytes:{needle!r}" for needle in (b"52.3758", b"iPhone") if needle in raw]
    return found


@pytest.fixture(scope="module")
def tagged_phone_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A rotated phone-like MOV with GPS, device tags, a chapter and a timecode data track."""
    folder = tmp_path_factory.mktemp("tagged")
    clip = samples.make_clip(folder / "raw.mov", width=320, height=240, duration_s=3)
    chapters = folder / "chapters.txt"
    chapters.write_text(
        ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\ntitle=Hannover\n"
    )
    dest = folder / "IMG_0042.MOV"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-i", str(chapters),
         "-map", "0", "-map_chapters", "1", "-c", "copy", "-timecode", "01:00:00:00",
         "-metadata:s:v:0", "rotate=90", "-movflags", "+use_metadata_tags",
         *[arg for key, value in PHONE_TAGS.items() for arg in ("-metadata", f"{key}={value}")],
         str(dest)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    assert _leaks(dest), "the sample must carry what a phone writes"
    return dest


def test_the_original_is_cleaned_while_the_transcode_queue_is_still_busy(
    celery_worker: CeleryWorker, live_server: Any, tagged_phone_clip: Path
) -> None:
    """The clean-up must not wait its turn behind other transcodes: here nobody consumes the
    transcode job at all, and the original is still clean within the minute."""
    backlog = f"transcode-backlog-{uuid.uuid4().hex[:8]}"  # a queue no worker consumes
    with routed("workers.tasks.media.process_media", backlog):
        story, _token = services.story_create_draft(language="de")
        tus_client.TusClient(
            f"{live_server.url}/api/v1/uploads/",
            headers={"Upload-Token": story_upload_token(story=story)},
        ).uploader(str(tagged_phone_clip), chunk_size=256 * 1024).upload()
        wait_for(
            lambda: StoryMedia.objects.filter(story=story, is_current=True).exists(),
            timeout=60,
            what="the upload to become the story's video",
        )
        media = StoryMedia.objects.get(story=story, is_current=True)
        original = Path(default_storage.path(media.upload.storage_key))
        wait_for(
            lambda: original.exists() and not _leaks(original),
            timeout=60,  # the bound; a condition, not a timing assertion
            what="the original to lose its tags\n" + celery_worker.log_tail(),
        )
    media.refresh_from_db()
    assert media.state == StoryMedia.State.WAITING  # cleaned before any transcode began
    info = _ffprobe(original)
    assert sorted(s["codec_type"] for s in info["streams"]) == ["audio", "video"]


def test_no_stored_file_keeps_location_or_device_tags(
    celery_worker: CeleryWorker, live_server: Any, tagged_phone_clip: Path
) -> None:
    story, _token = services.story_create_draft(language="de")
    tus_client.TusClient(
        f"{live_server.url}/api/v1/uploads/",
        headers={"Upload-Token": story_upload_token(story=story)},
    ).uploader(
        str(tagged_phone_clip),
        chunk_size=256 * 1024,
        metadata={"filename": "IMG_0042.MOV", "lang": "de"},
    ).upload()
    wait_for(
        lambda: StoryMedia.objects.filter(story=story, state="ready").exists(),
        timeout=120,
        what="the media to be ready\n" + celery_worker.log_tail(),
    )
    media = StoryMedia.objects.get(story=story, is_current=True)
    original = Path(default_storage.path(media.upload.storage_key))
    outputs = Path(default_storage.path(media.master_key)).parent
    stored = [original, *sorted(p for p in outputs.rglob("*") if p.is_file())]
    assert len(stored) >= 4, stored
    leaks = {str(path.name): _leaks(path) for path in stored}
    assert not any(leaks.values()), leaks
    # What a re-transcode needs is still there: both streams and the rotation.
    info = _ffprobe(original)
    assert sorted(s["codec_type"] for s in info["streams"]) == ["audio", "video"]
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert abs(video["side_data_list"][0]["rotation"]) == 90
    assert media.summary["original_stripped"]["removed_tags"]


def test_an_original_that_cannot_be_cleaned_is_not_kept(
    celery_worker: CeleryWorker, live_server: Any, tagged_phone_clip: Path, tmp_path: Path
) -> None:
    """A cut-off upload with GPS: refused with the usual message, the draft stays."""
    faststart = tmp_path / "faststart.mov"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(tagged_phone_clip), "-map", "0:v", "-map", "0:a",
         "-timecode", "01:00:00:00", "-c", "copy",
         "-map_metadata", "0", "-movflags", "+faststart+use_metadata_tags", str(faststart)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    cut = samples.truncate(faststart, tmp_path / "cut.mov", fraction=0.6)
    assert _leaks(cut), "the tags sit before the cut"
    story, _token = services.story_create_draft(language="de")
    services.story_update_draft(story=story, data={"title": "Unterwegs"})
    tus_client.TusClient(
        f"{live_server.url}/api/v1/uploads/",
        headers={"Upload-Token": story_upload_token(story=story)},
    ).uploader(str(cut), chunk_size=256 * 1024, metadata={"lang": "de"}).upload()
    wait_for(
        lambda: StoryMedia.objects.filter(story=story, state="failed").exists(),
        timeout=120,
        what="the media to fail\n" + celery_worker.log_tail(),
    )
    media = StoryMedia.objects.get(story=story, is_current=True)
    assert media.failure_message
    key = media.upload.storage_key
    assert not default_storage.exists(key) or not _leaks(Path(default_storage.path(key)))
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT and story.title == "Unterwegs"


@pytest.fixture
def dev_urlconf(settings: Any) -> Iterator[None]:
    """The URLconf exactly as ``make run`` builds it (DEBUG on, files on local disk)."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_media_of_a_withdrawn_story_is_not_served_in_development(
    client: Client, dev_urlconf: None
) -> None:
    story, _token = services.story_create_draft()
    base = f"stories/{story.public_id}/media-1"
    keys = {
        name: default_storage.save(f"{base}/{name}", ContentFile(b"\x00\x00\x00\x18ftypmp42"))
        for name in ("master.mp4", "preview.mp4", "poster.jpg")
    }
    original = default_storage.save("uploads/withdrawn-test/original", ContentFile(b"GPS!"))
    upload = Upload.objects.create(
        owner_key="x",
        length=4,
        offset=4,
        state=Upload.State.COMPLETED,
        storage_key=original,
        expires_at=timezone.now(),
    )
    StoryMedia.objects.create(
        story=story,
        upload=upload,
        state="ready",
        master_key=keys["master.mp4"],
        preview_key=keys["preview.mp4"],
        poster_key=keys["poster.jpg"],
    )
    story_move_to(story, "in_review")
    services.story_transition(
        story_id=story.pk, allowed_from=["in_review"], to="withdrawn", action="t"
    )

    for key in [original, *keys.values()]:
        assert client.get(f"/media/{key}").status_code == 404, key
    assert client.get(f"/moderation/stories/{story.pk}/media/preview/").status_code in (302, 403)
    assert client.get(f"/geschichten/{story.public_id}/poster.jpg").status_code == 404

    # Moderators still see the preview through the permission-checked view.
    user = User.objects.create_user("mo", password="x-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="moderator"))
    client.force_login(user)
    response = client.get(f"/moderation/stories/{story.pk}/media/preview/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x00\x18ftyp")
