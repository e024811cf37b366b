"""Issue 13, hole 8: uploads trust public identifiers.

The attacks as the outside review ran them, over real HTTP against a live server with the
official Python tus client (tuspy) and ``requests``. The stranger knows what the public
knows: the story's ``public_id`` (the gallery id) and, for the later steps, the upload's URL
(it shows in logs, proxies and browser history). The owner holds the draft's upload token
from ``POST /api/v1/stories/``; it also sends the ``draft`` metadata old clients sent, so the
owner's flow is the same against the old code, and only the attacks tell the versions apart.
"""

from __future__ import annotations

import base64
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

from stories.models import Story, StoryMedia
from stories.uploads.models import Upload
from tests.stories.lifecycle import story_move_to

pytestmark = pytest.mark.django_db(transaction=True)

CHUNK = 16 * 1024
TUS = {"Tus-Resumable": "1.0.0"}
SECRET_NAME = "Amina_Celle_Ausländerbehörde_2026.mp4"


@pytest.fixture(autouse=True)
def _uploads_settings(settings: Any, tmp_path: Path) -> None:
    settings.UPLOAD_TEMP_DIR = tmp_path / "uploads"
    settings.UPLOAD_CREATE_RATE = "100000/hour"


@pytest.fixture
def video(tmp_path: Path) -> Path:
    from workers.media.samples import make_clip

    return make_clip(tmp_path / "clip.mp4", width=160, height=120, duration_s=2)


def _draft(base: str) -> dict[str, Any]:
    response = requests.post(f"{base}/api/v1/stories/", json={"language": "de"}, timeout=30)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _owner_client(base: str, draft: dict[str, Any]) -> tus_client.TusClient:
    return tus_client.TusClient(
        f"{base}/api/v1/uploads/", headers={"Upload-Token": draft.get("upload_token", "")}
    )


def _owner_metadata(draft: dict[str, Any]) -> dict[str, str]:
    return {"filename": SECRET_NAME, "filetype": "video/mp4", "draft": str(draft["id"])}


def _upload_of(url: str) -> Upload:
    return Upload.objects.get(pk=uuid.UUID(url.rstrip("/").rsplit("/", 1)[-1]))


def _started(base: str, draft: dict[str, Any], video: Path) -> str:
    """The owner's upload, interrupted after two chunks (a phone on a train)."""
    uploader = _owner_client(base, draft).uploader(
        str(video), chunk_size=CHUNK, metadata=_owner_metadata(draft)
    )
    uploader.upload(stop_at=2 * CHUNK)
    assert uploader.url
    return str(uploader.url)


def _all_header_text(response: requests.Response) -> str:
    return "\n".join(f"{k}: {v}" for k, v in response.headers.items())


def test_head_tells_a_stranger_nothing(live_server: Any, video: Path) -> None:
    draft = _draft(live_server.url)
    url = _started(live_server.url, draft, video)
    encoded_name = base64.b64encode(SECRET_NAME.encode()).decode()
    encoded_key = base64.b64encode(str(draft["id"]).encode()).decode()

    for headers in ({}, {"Upload-Token": str(draft["id"])}, {"Upload-Token": "x" * 43}):
        stranger = requests.head(url, headers={**TUS, **headers}, timeout=30)
        assert stranger.status_code == 404, headers  # not 403: existence is not confirmed
        text = _all_header_text(stranger)
        assert "Upload-Metadata" not in stranger.headers
        assert "Upload-Offset" not in stranger.headers
        assert encoded_name not in text and encoded_key not in text

    owner = requests.head(url, headers={**TUS, "Upload-Token": draft["upload_token"]}, timeout=30)
    assert owner.status_code == 200
    assert owner.headers["Upload-Offset"] == str(2 * CHUNK)
    # Not even the owner gets the metadata back: the browser already has the file.
    assert "Upload-Metadata" not in owner.headers
    assert encoded_name not in _all_header_text(owner)


def test_a_stranger_can_neither_write_to_nor_delete_nor_read_an_upload(
    live_server: Any, video: Path
) -> None:
    draft = _draft(live_server.url)
    url = _started(live_server.url, draft, video)
    offset = 2 * CHUNK
    other = _draft(live_server.url)  # a stranger with a draft (and token) of their own

    for token in ("", str(draft["id"]), other.get("upload_token", "")):
        auth = {"Upload-Token": token} if token else {}
        patched = requests.patch(
            url,
            data=b"\0" * 1024,
            headers={
                **TUS,
                **auth,
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
            },
            timeout=30,
        )
        assert patched.status_code == 404, (token, patched.status_code)
        deleted = requests.delete(url, headers={**TUS, **auth}, timeout=30)
        assert deleted.status_code == 404, (token, deleted.status_code)
        status = requests.get(f"{url}/status", headers={**TUS, **auth}, timeout=30)
        assert status.status_code == 404, (token, status.status_code)
        assert SECRET_NAME not in status.text

    upload = _upload_of(url)
    assert upload.state == Upload.State.RECEIVING
    assert upload.offset == offset

    # The owner resumes after all that and finishes with the original bytes.
    resumed = _owner_client(live_server.url, draft).uploader(str(video), chunk_size=CHUNK, url=url)
    resumed.upload()
    upload.refresh_from_db()
    assert upload.state == Upload.State.COMPLETED
    assert upload.offset == upload.length == video.stat().st_size
    status = requests.get(
        f"{url}/status", headers={"Upload-Token": draft["upload_token"]}, timeout=30
    )
    assert status.status_code == 200
    assert status.json()["state"] == "completed"


def _attack_upload(base: str, path: Path, *, headers: dict[str, str], victim: str) -> None:
    """A stranger sends a whole video naming the victim's draft; errors are the good case."""
    uploader = tus_client.TusClient(f"{base}/api/v1/uploads/", headers=headers)
    try:
        uploader.uploader(
            str(path), chunk_size=CHUNK, metadata={"draft": victim, "filename": "x.mp4"}
        ).upload()
    except TusCommunicationError as exc:
        assert exc.status_code in (400, 401, 403), exc.status_code


def test_a_stranger_with_the_public_id_cannot_replace_the_video(
    live_server: Any, video: Path, tmp_path: Path
) -> None:
    from workers.media.samples import make_clip

    draft = _draft(live_server.url)
    _owner_client(live_server.url, draft).uploader(
        str(video), chunk_size=CHUNK, metadata=_owner_metadata(draft)
    ).upload()
    story = Story.objects.get(public_id=draft["id"])
    mine = StoryMedia.objects.get(story=story, is_current=True)
    assert mine.upload.metadata["filename"] == SECRET_NAME

    hostile = make_clip(tmp_path / "hostile.mp4", width=160, height=120, duration_s=1)
    victim = str(draft["id"])
    # 1. The old attack: the public id in Upload-Metadata, no secret at all.
    _attack_upload(live_server.url, hostile, headers={}, victim=victim)
    # 2. The public id presented as if it were the secret.
    _attack_upload(live_server.url, hostile, headers={"Upload-Token": victim}, victim=victim)
    # 3. A real draft of the stranger's own, naming the victim's draft in the metadata.
    own = _draft(live_server.url)
    _attack_upload(
        live_server.url,
        hostile,
        headers={"Upload-Token": own.get("upload_token", "")},
        victim=victim,
    )

    current = StoryMedia.objects.get(story=story, is_current=True)
    assert current.pk == mine.pk, "a stranger's upload replaced the video"
    story.refresh_from_db()
    assert story.video_upload_id == mine.upload_id
    assert StoryMedia.objects.filter(story=story).count() == 1
    assert set(Upload.objects.filter(owner_key=victim).values_list("pk", flat=True)) == {
        mine.upload_id
    }


def _completed_upload(story: Story, *, token: str) -> Upload:
    from datetime import timedelta

    from django.utils import timezone

    from stories.uploads.selectors import upload_token_hash

    return Upload.objects.create(
        owner_key=str(story.public_id),
        token_hash=upload_token_hash(token),
        length=10,
        offset=10,
        state=Upload.State.COMPLETED,
        storage_key="uploads/x/original",
        sniffed_type="video/mp4",
        expires_at=timezone.now() + timedelta(hours=24),
    )


def test_only_uploads_made_with_the_drafts_own_token_are_attached() -> None:
    """Defence in depth: even a row naming the draft is not attached without its token."""
    from django.core.exceptions import ValidationError

    from stories.services import on_upload_complete, story_attach_video, story_create_draft
    from stories.upload_tokens import story_upload_token

    story, _token = story_create_draft()
    other, _other_token = story_create_draft()
    foreign = _completed_upload(story, token=story_upload_token(story=other))
    on_upload_complete(foreign.pk)
    assert not StoryMedia.objects.filter(story=story).exists()
    with pytest.raises(ValidationError):
        story_attach_video(story=story, upload_id=foreign.pk)

    own = _completed_upload(story, token=story_upload_token(story=story))
    on_upload_complete(own.pk)
    assert StoryMedia.objects.get(story=story, is_current=True).upload_id == own.pk


def test_a_closed_drafts_token_starts_no_upload(live_server: Any) -> None:

    draft = _draft(live_server.url)
    story = Story.objects.get(public_id=draft["id"])
    story_move_to(story, "in_review")
    response = requests.post(
        f"{live_server.url}/api/v1/uploads/",
        headers={**TUS, "Upload-Length": "10", "Upload-Token": draft["upload_token"]},
        timeout=30,
    )
    assert response.status_code == 403
    assert response.json()["extra"]["code"] == "owner_refused"
    assert not Upload.objects.exists()


def test_the_api_and_the_form_hand_the_token_only_to_the_drafts_holder(
    live_server: Any,
) -> None:
    import re

    draft = _draft(live_server.url)
    # Public id (hex) and a MAC over it and the private token's hash: not the public id.
    prefix, _dot, mac = draft["upload_token"].partition(".")
    assert prefix == uuid.UUID(str(draft["id"])).hex and len(mac) == 64
    mine = requests.get(
        f"{live_server.url}/api/v1/stories/mine/",
        headers={"Authorization": f"Story {draft['token']}"},
        timeout=30,
    )
    assert mine.json()["upload_token"] == draft["upload_token"]  # asked again: the same

    # The form: the token is in the page of this session's draft, the same after a reload
    # (so an interrupted upload resumes), and never part of a URL.
    import importlib

    from django.apps import apps

    from stories.models import Region, Topic

    if not Region.objects.filter(is_active=True).exists():  # a transactional flush ran before
        importlib.import_module("stories.migrations.0002_seed_regions_topics_consents").seed(
            apps, None
        )
    http = requests.Session()
    form = http.get(f"{live_server.url}/mitmachen/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert csrf
    fields = {
        "csrfmiddlewaretoken": csrf.group(1),
        "title": "Vom Praktikum zur Meisterin",
        "text": "Amina kam 2016 nach Celle. Heute leitet sie eine Werkstatt und bildet aus.",
        "region_id": str(Region.objects.filter(is_active=True).first().pk),  # type: ignore[union-attr]
        "topic_id": str(Topic.objects.filter(is_active=True).first().pk),  # type: ignore[union-attr]
    }
    saved = http.post(f"{live_server.url}/mitmachen/", data=fields, timeout=30)
    assert saved.status_code == 200 and saved.url.endswith("/mitmachen/video/")
    tokens = [
        re.findall(r'data-upload-token="([^"]+)"', http.get(saved.url, timeout=30).text)
        for _ in range(2)
    ]
    assert len(tokens[0]) == 1 and tokens[0] == tokens[1]
    page = http.get(saved.url, timeout=30).text
    assert not re.search(
        r'(href|src|action|data-endpoint|data-state-url)="[^"]*' + re.escape(tokens[0][0]), page
    )
    # A stranger's browser (no session) gets no form, let alone the token.
    stranger = requests.get(saved.url, timeout=30)
    assert tokens[0][0] not in stranger.text
