"""Fixtures for the tus endpoint: a private working folder and real sample files."""

from __future__ import annotations

import base64
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from stories.uploads.hooks import hooks

TOKEN_PREFIX = "test-upload-token-"
TOKEN = f"{TOKEN_PREFIX}draft-1"
TUS = {"HTTP_TUS_RESUMABLE": "1.0.0", "HTTP_UPLOAD_TOKEN": TOKEN}
OFFSET_TYPE = "application/offset+octet-stream"
UPLOADS_URL = "/api/v1/uploads/"


def owner_of_test_token(token: str) -> str | None:
    """The owner validator of these tests: ``test-upload-token-<owner>`` proves <owner>.

    The endpoint is tested on its own here; the real validator (stories' upload tokens)
    has its tests in tests/security/test_upload_authorisation.py.
    """
    return token.removeprefix(TOKEN_PREFIX) or None if token.startswith(TOKEN_PREFIX) else None


def token_for(owner: str) -> str:
    return f"{TOKEN_PREFIX}{owner}"


@pytest.fixture(autouse=True)
def _uploads_settings(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.UPLOAD_TEMP_DIR = tmp_path / "uploads"
    settings.UPLOAD_CREATE_RATE = "100000/hour"
    # The endpoint on its own: test tokens prove owners, nothing is attached on completion.
    # (monkeypatch puts the stories app's registered hooks back after each test.)
    monkeypatch.setattr(hooks, "owner_for_token", owner_of_test_token)
    monkeypatch.setattr(hooks, "on_complete", None)


def _ffmpeg(out: Path, *args: str) -> Path:
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25",
            "-t",
            "2",
            "-pix_fmt",
            "yuv420p",
            *args,
            str(out),
        ],
        check=True,
        timeout=60,
    )
    return out


@pytest.fixture(scope="session")
def samples(session_dir: Path) -> Iterator[dict[str, Path]]:
    """Small real files made here: videos by ffmpeg, an image by Pillow, HTML, nothing."""
    folder = session_dir / "upload-samples"
    folder.mkdir()
    png = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(png, format="PNG")
    (folder / "image.mp4").write_bytes(png.getvalue())  # a PNG renamed .mp4
    (folder / "page.mp4").write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body>hi</body></html>\n"
    )
    (folder / "empty.mp4").write_bytes(b"")
    yield {
        "mp4": _ffmpeg(folder / "clip.mp4"),
        "mov": _ffmpeg(folder / "clip.mov", "-c:v", "mpeg4"),
        "webm": _ffmpeg(folder / "clip.webm", "-c:v", "libvpx", "-b:v", "200k"),
        "png": folder / "image.mp4",
        "html": folder / "page.mp4",
        "empty": folder / "empty.mp4",
    }


def metadata_header(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def create(client: Client, length: int, **metadata: str) -> Any:
    return client.post(
        UPLOADS_URL,
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=metadata_header(**metadata),
        **TUS,
    )


def patch(client: Client, url: str, offset: int, data: bytes, **headers: str) -> Any:
    return client.generic(
        "PATCH",
        url,
        data,
        content_type=headers.pop("content_type", OFFSET_TYPE),
        HTTP_UPLOAD_OFFSET=str(offset),
        **{**TUS, **headers},
    )


def upload_bytes(client: Client, data: bytes, *, chunk: int = 64 * 1024, **metadata: str) -> str:
    """Create and send ``data`` in chunks; returns the upload URL."""
    response = create(client, len(data), **metadata)
    assert response.status_code == 201, response.content
    url = response["Location"]
    for start in range(0, len(data), chunk):
        sent = patch(client, url, start, data[start : start + chunk])
        assert sent.status_code == 204, sent.content
    return str(url)
