"""The endpoint against the official Python tus client and a raw socket, on a live server."""

from __future__ import annotations

import hashlib
import socket
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.core.files.storage import default_storage
from tusclient import client as tus_client

from stories.uploads.models import Upload
from tests.support.services import wait_for

from .conftest import token_for

pytestmark = pytest.mark.django_db(transaction=True)

CHUNK = 16 * 1024


def _tus(live_server: Any, owner: str = "d-1") -> tus_client.TusClient:
    return tus_client.TusClient(
        f"{live_server.url}/api/v1/uploads/", headers={"Upload-Token": token_for(owner)}
    )


def _upload_of(url: str) -> Upload:
    return Upload.objects.get(pk=uuid.UUID(url.rstrip("/").rsplit("/", 1)[-1]))


def test_tuspy_uploads_a_video_in_chunks(live_server: Any, samples: dict[str, Path]) -> None:
    path = samples["mp4"]
    assert path.stat().st_size > 3 * CHUNK  # several PATCH requests
    uploader = _tus(live_server).uploader(
        str(path),
        chunk_size=CHUNK,
        metadata={"filename": "mein-weg.mp4", "filetype": "video/mp4"},
        upload_checksum=True,
    )
    uploader.upload()

    upload = _upload_of(uploader.url)
    assert upload.state == Upload.State.COMPLETED
    assert upload.sniffed_type == "video/mp4"
    assert upload.offset == upload.length == path.stat().st_size
    with default_storage.open(upload.storage_key) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == upload.sha256
    assert upload.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_interrupted_upload_resumes_where_the_server_stopped(
    live_server: Any, samples: dict[str, Path], settings: Any
) -> None:
    path = samples["mp4"]
    size = path.stat().st_size
    first = _tus(live_server, "d-2").uploader(str(path), chunk_size=CHUNK)
    first.upload(stop_at=2 * CHUNK)  # the phone loses its connection here
    upload = _upload_of(first.url)
    assert upload.offset == 2 * CHUNK
    working = Path(settings.UPLOAD_TEMP_DIR) / f"{upload.id.hex}.part"
    assert working.stat().st_size == 2 * CHUNK

    second = _tus(live_server, "d-2").uploader(str(path), chunk_size=CHUNK, url=first.url)
    assert second.offset == 2 * CHUNK  # asked the server; nothing accepted is sent again
    requests_made = 0
    while second.offset < size:
        second.upload_chunk()
        requests_made += 1
    assert requests_made == -(-(size - 2 * CHUNK) // CHUNK)

    upload.refresh_from_db()
    assert upload.state == Upload.State.COMPLETED
    assert upload.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_patch_cut_short_keeps_the_bytes_received(live_server: Any) -> None:
    base = f"{live_server.url}/api/v1/uploads/"
    token = token_for("d-3")
    created = requests.post(
        base,
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": "100000", "Upload-Token": token},
        timeout=10,
    )
    assert created.status_code == 201
    url = requests.compat.urljoin(base, created.headers["Location"])
    parts = urlsplit(url)

    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    sock.sendall(
        (
            f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTus-Resumable: 1.0.0\r\n"
            "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
            f"Upload-Token: {token}\r\n"
            "Content-Length: 100000\r\n\r\n"
        ).encode()
        + b"v" * 40000
    )
    time.sleep(0.3)
    sock.close()  # the train enters a tunnel

    def stored_offset() -> str:
        head = requests.head(
            url, headers={"Tus-Resumable": "1.0.0", "Upload-Token": token}, timeout=10
        )
        return str(head.headers["Upload-Offset"])

    wait_for(lambda: stored_offset() == "40000", timeout=60, what="the partial PATCH to be kept")

    rest = requests.patch(
        url,
        data=b"v" * 60000,
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Token": token,
            "Upload-Offset": "40000",
            "Content-Type": "application/offset+octet-stream",
        },
        timeout=10,
    )
    assert rest.status_code == 204
    assert rest.headers["Upload-Offset"] == "100000"
    assert rest.headers["Upload-Rejected"] == "not_a_video"
