"""What happens when the last byte arrives: real type check, storage, hook, status."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from kernel.media_errors import in_language
from stories.uploads.hooks import hooks
from stories.uploads.models import Upload
from stories.uploads.selectors import REJECTION_MESSAGES

from .conftest import TUS, create, patch, upload_bytes

pytestmark = pytest.mark.django_db

completed: list[uuid.UUID] = []


def record_completion(upload_id: uuid.UUID) -> None:
    completed.append(upload_id)


def _upload(url: str) -> Upload:
    return Upload.objects.get(pk=uuid.UUID(url.rsplit("/", 1)[-1]))


@pytest.mark.parametrize(
    ("sample", "mime"),
    [("mp4", "video/mp4"), ("mov", "video/quicktime"), ("webm", "video/webm")],
)
def test_a_video_is_stored_and_handed_on(
    client: Client,
    settings: Any,
    samples: dict[str, Path],
    sample: str,
    mime: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    hooks.on_complete = record_completion
    data = samples[sample].read_bytes()
    completed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        url = upload_bytes(client, data, filename=f"clip.{sample}")
    upload = _upload(url)
    assert upload.state == Upload.State.COMPLETED
    assert upload.sniffed_type == mime
    assert upload.storage_key == f"uploads/{upload.id}/original"
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.completed_at is not None
    with default_storage.open(upload.storage_key) as stored:
        assert stored.read() == data
    assert not (settings.UPLOAD_TEMP_DIR / f"{upload.id.hex}.part").exists()
    assert completed == [upload.id]
    status = client.get(f"{url}/status", **TUS).json()
    assert status == {
        "state": "completed",
        "offset": len(data),
        "length": len(data),
        "rejection": None,
    }


@pytest.mark.parametrize(
    ("sample", "code"), [("png", "not_a_video"), ("html", "not_a_video"), ("empty", "empty")]
)
def test_not_a_video_is_rejected_in_german(
    client: Client,
    settings: Any,
    samples: dict[str, Path],
    sample: str,
    code: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    hooks.on_complete = record_completion
    completed.clear()
    data = samples[sample].read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        if data:
            response = create(client, len(data), filename="video.mp4", filetype="video/mp4")
            url = response["Location"]
            last = patch(client, url, 0, data)
            assert last.status_code == 204  # tus accepted the bytes; the content is refused
            assert last["Upload-Rejected"] == code
        else:
            url = create(client, 0, filename="video.mp4")["Location"]
    upload = _upload(url)
    assert upload.state == Upload.State.REJECTED
    assert upload.rejection_reason == code
    assert upload.storage_key == ""
    assert completed == []
    assert not (settings.UPLOAD_TEMP_DIR / f"{upload.id.hex}.part").exists()
    head = client.head(url, **TUS)
    assert head.status_code == 200
    assert head["Upload-Rejected"] == code
    status = client.get(f"{url}/status", **TUS).json()
    assert status["state"] == "rejected"
    german = in_language(REJECTION_MESSAGES[code], "de")
    assert status["rejection"] == {"code": code, "message": german}


def test_rejection_speaks_the_submitters_language(client: Client, samples: dict[str, Path]) -> None:
    url = upload_bytes(client, samples["png"].read_bytes(), lang="ar")
    message = client.get(f"{url}/status", **TUS).json()["rejection"]["message"]
    assert message == "هذا الملف ليس مقطع فيديو. يرجى رفع مقطع فيديو، مثل MP4 أو MOV."
    assert "فيديو" in message
    url = upload_bytes(client, samples["html"].read_bytes(), lang="xx")
    assert client.get(f"{url}/status", **TUS).json()["rejection"]["message"].startswith("Die Datei")


def test_every_rejection_has_every_language() -> None:
    for message in REJECTION_MESSAGES.values():
        german = in_language(message, "de")
        for language in ("en", "ar", "fa", "uk", "tr"):
            assert in_language(message, language) not in ("", german), language


def test_terminating_a_finished_upload_removes_the_stored_file(
    client: Client, samples: dict[str, Path]
) -> None:
    url = upload_bytes(client, samples["mp4"].read_bytes())
    key = _upload(url).storage_key
    assert default_storage.exists(key)
    assert client.delete(url, **TUS).status_code == 204
    assert not default_storage.exists(key)
    assert client.get(f"{url}/status", **TUS).status_code == 404
