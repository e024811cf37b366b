"""Every error the tus protocol defines, over HTTP through Django's test client."""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stories.uploads.hooks import hooks
from stories.uploads.models import Upload

from .conftest import OFFSET_TYPE, TUS, UPLOADS_URL, create, metadata_header, patch, token_for

pytestmark = pytest.mark.django_db


def _upload(url: str) -> Upload:
    return Upload.objects.get(pk=uuid.UUID(url.rstrip("/").rsplit("/", 1)[-1]))


def test_options_advertises_the_protocol(client: Client, settings: Any) -> None:
    response = client.options(UPLOADS_URL)
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert response["Tus-Extension"] == "creation,termination,expiration,checksum"
    assert response["Tus-Max-Size"] == str(settings.UPLOAD_MAX_BYTES)
    assert response["Tus-Checksum-Algorithm"] == "sha1,md5,sha256"


def test_creation_sets_location_expiry_and_owner(client: Client, settings: Any) -> None:
    response = create(client, 100, filename="mein video.mp4", lang="ar")
    assert response.status_code == 201
    assert response["Tus-Resumable"] == "1.0.0"
    assert response["Location"].startswith("/api/v1/uploads/")
    assert "GMT" in response["Upload-Expires"]
    upload = _upload(response["Location"])
    assert upload.owner_key == "draft-1"  # from the token, not from anything the client named
    assert upload.metadata == {"filename": "mein video.mp4", "lang": "ar"}
    assert upload.state == Upload.State.RECEIVING
    assert (
        timedelta(hours=23, minutes=59)
        < upload.expires_at - upload.created_at
        <= timedelta(hours=24)
    )
    assert upload.client_ip_hash and "127.0.0.1" not in upload.client_ip_hash
    working = settings.UPLOAD_TEMP_DIR / f"{upload.id.hex}.part"
    assert working.is_file()

    head = client.head(response["Location"], **TUS)
    assert head.status_code == 200
    assert head["Upload-Offset"] == "0"
    assert head["Upload-Length"] == "100"
    assert head["Cache-Control"] == "no-store"
    assert "Upload-Metadata" not in head  # never echoed, not even to the owner


def test_missing_tus_resumable_is_412(client: Client) -> None:
    response = client.post(
        UPLOADS_URL, HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA=metadata_header(draft="d")
    )
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    assert response.json()["extra"]["code"] == "version_unsupported"
    wrong = client.post(
        UPLOADS_URL,
        HTTP_UPLOAD_LENGTH="10",
        HTTP_TUS_RESUMABLE="0.2.2",
        HTTP_UPLOAD_METADATA=metadata_header(draft="d"),
    )
    assert wrong.status_code == 412


def test_creation_needs_length_and_owner(client: Client) -> None:
    no_length = client.post(UPLOADS_URL, HTTP_UPLOAD_METADATA=metadata_header(draft="d"), **TUS)
    assert no_length.status_code == 400
    assert "Upload-Length" in no_length.json()["message"]
    deferred = client.post(
        UPLOADS_URL,
        HTTP_UPLOAD_DEFER_LENGTH="1",
        HTTP_UPLOAD_METADATA=metadata_header(draft="d"),
        **TUS,
    )
    assert deferred.status_code == 400
    no_token = client.post(
        UPLOADS_URL,
        HTTP_UPLOAD_LENGTH="10",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_METADATA=metadata_header(draft="draft-1"),
    )
    assert no_token.status_code == 403
    assert no_token.json()["extra"]["code"] == "token_missing"
    broken = client.post(
        UPLOADS_URL, HTTP_UPLOAD_LENGTH="10", HTTP_UPLOAD_METADATA="draft ***", **TUS
    )
    assert broken.status_code == 400
    assert Upload.objects.count() == 0


def accept_only_open_draft(token: str) -> str | None:
    return "open-draft" if token == "open-draft-token" else None


def test_owner_validator_hook_refuses_unknown_tokens(client: Client, settings: Any) -> None:
    hooks.owner_for_token = accept_only_open_draft
    refused = create(client, 10, draft="open-draft")  # naming a draft proves nothing
    assert refused.status_code == 403
    assert refused.json()["extra"]["code"] == "owner_refused"
    accepted = client.post(
        UPLOADS_URL,
        HTTP_UPLOAD_LENGTH="10",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_TOKEN="open-draft-token",
    )
    assert accepted.status_code == 201
    assert _upload(accepted["Location"]).owner_key == "open-draft"


def test_without_an_owner_validator_every_creation_is_refused(
    client: Client, settings: Any
) -> None:
    hooks.owner_for_token = None
    refused = create(client, 10)
    assert refused.status_code == 403
    assert Upload.objects.count() == 0


def test_another_token_gets_404_everywhere(client: Client) -> None:
    url = create(client, 10)["Location"]
    assert patch(client, url, 0, b"abc").status_code == 204
    other = {**TUS, "HTTP_UPLOAD_TOKEN": token_for("draft-2")}
    for headers in (other, {**TUS, "HTTP_UPLOAD_TOKEN": ""}):
        assert client.head(url, **headers).status_code == 404
        assert patch(client, url, 3, b"def", **headers).status_code == 404
        assert client.delete(url, **headers).status_code == 404
        assert client.get(f"{url}/status", **headers).status_code == 404
    assert client.head(url, **TUS)["Upload-Offset"] == "3"


def test_over_the_limit_at_creation_is_413(client: Client) -> None:
    response = create(client, 3 * 1024**3)
    assert response.status_code == 413
    assert response.json()["message"]
    assert Upload.objects.count() == 0


def test_more_data_than_declared_is_413_and_nothing_is_kept(client: Client) -> None:
    url = create(client, 10)["Location"]
    response = patch(client, url, 0, b"x" * 11)
    assert response.status_code == 413
    assert response.json()["extra"]["code"] == "too_large"
    assert client.head(url, **TUS)["Upload-Offset"] == "0"
    assert patch(client, url, 0, b"x" * 6).status_code == 204
    assert patch(client, url, 6, b"x" * 5).status_code == 413
    assert client.head(url, **TUS)["Upload-Offset"] == "6"


def test_wrong_offset_is_409(client: Client) -> None:
    url = create(client, 10)["Location"]
    assert patch(client, url, 0, b"abcde").status_code == 204
    response = patch(client, url, 3, b"xyz")
    assert response.status_code == 409
    assert response["Upload-Offset"] == "5"
    assert response.json()["extra"]["offset"] == 5


def test_wrong_content_type_is_415(client: Client) -> None:
    url = create(client, 10)["Location"]
    response = patch(client, url, 0, b"abc", content_type="application/octet-stream")
    assert response.status_code == 415
    assert response.json()["message"]


def test_unknown_upload_is_404(client: Client) -> None:
    url = f"{UPLOADS_URL}{uuid.uuid4()}"
    assert client.head(url, **TUS).status_code == 404
    response = patch(client, url, 0, b"abc")
    assert response.status_code == 404
    assert response.json()["extra"]["code"] == "not_found"
    assert client.delete(url, **TUS).status_code == 404


def test_expired_upload_is_410(client: Client) -> None:
    url = create(client, 10)["Location"]
    assert patch(client, url, 0, b"abc").status_code == 204
    Upload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.head(url, **TUS).status_code == 410
    response = patch(client, url, 3, b"def")
    assert response.status_code == 410
    assert response.json()["message"]


def _checksum(algorithm: str, data: bytes) -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


def test_checksum_mismatch_is_460_and_the_chunk_is_discarded(client: Client, settings: Any) -> None:
    url = create(client, 12)["Location"]
    ok = patch(client, url, 0, b"hello ", HTTP_UPLOAD_CHECKSUM=_checksum("sha1", b"hello "))
    assert ok.status_code == 204
    assert ok["Upload-Offset"] == "6"
    bad = patch(client, url, 6, b"world!", HTTP_UPLOAD_CHECKSUM=_checksum("sha256", b"w0rld!"))
    assert bad.status_code == 460
    assert bad.json()["extra"]["code"] == "checksum_mismatch"
    assert client.head(url, **TUS)["Upload-Offset"] == "6"
    working = settings.UPLOAD_TEMP_DIR / f"{_upload(url).id.hex}.part"
    assert working.read_bytes() == b"hello "
    unknown = patch(client, url, 6, b"world!", HTTP_UPLOAD_CHECKSUM="crc32 AAAA")
    assert unknown.status_code == 400
    md5 = patch(client, url, 6, b"world!", HTTP_UPLOAD_CHECKSUM=_checksum("md5", b"world!"))
    assert md5.status_code == 204
    assert md5["Upload-Offset"] == "12"


def test_termination_is_204_then_404(client: Client, settings: Any) -> None:
    url = create(client, 10)["Location"]
    assert patch(client, url, 0, b"abc").status_code == 204
    upload = _upload(url)
    response = client.delete(url, **TUS)
    assert response.status_code == 204
    assert not (settings.UPLOAD_TEMP_DIR / f"{upload.id.hex}.part").exists()
    upload.refresh_from_db()
    assert upload.state == Upload.State.TERMINATED
    assert client.head(url, **TUS).status_code == 404
    assert patch(client, url, 3, b"def").status_code == 404
    assert client.delete(url, **TUS).status_code == 404


def test_method_override_header_is_honoured(client: Client) -> None:
    url = create(client, 3)["Location"]
    response = client.post(
        url,
        b"abc",
        content_type=OFFSET_TYPE,
        HTTP_UPLOAD_OFFSET="0",
        HTTP_X_HTTP_METHOD_OVERRIDE="PATCH",
        **TUS,
    )
    assert response.status_code == 204
    assert response["Upload-Offset"] == "3"


def test_creation_is_rate_limited_per_address(client: Client, settings: Any) -> None:
    settings.UPLOAD_CREATE_RATE = "2/hour"
    address = f"10.0.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    for _ in range(2):
        assert (
            client.post(
                UPLOADS_URL,
                HTTP_UPLOAD_LENGTH="1",
                HTTP_UPLOAD_METADATA=metadata_header(draft="d"),
                REMOTE_ADDR=address,
                **TUS,
            ).status_code
            == 201
        )
    limited = client.post(
        UPLOADS_URL,
        HTTP_UPLOAD_LENGTH="1",
        HTTP_UPLOAD_METADATA=metadata_header(draft="d"),
        REMOTE_ADDR=address,
        **TUS,
    )
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 3600
    other = client.post(
        UPLOADS_URL,
        HTTP_UPLOAD_LENGTH="1",
        HTTP_UPLOAD_METADATA=metadata_header(draft="d"),
        REMOTE_ADDR="192.0.2.7",
        **TUS,
    )
    assert other.status_code == 201


def test_rate_limit_fails_open_when_redis_is_down(
    client: Client, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support.services import free_port

    settings.UPLOAD_CREATE_RATE = "1/hour"
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    for _ in range(3):
        assert create(client, 5).status_code == 201
    assert "Redis unavailable" in caplog.text


def test_schema_documents_the_tus_operations(client: Client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    collection = schema["paths"]["/api/v1/uploads/"]
    detail = schema["paths"]["/api/v1/uploads/{upload_id}"]
    assert "post" in collection
    assert {"head", "patch", "delete"} <= set(detail)
    assert "application/offset+octet-stream" in detail["patch"]["requestBody"]["content"]
    assert "get" in schema["paths"]["/api/v1/uploads/{upload_id}/status"]
