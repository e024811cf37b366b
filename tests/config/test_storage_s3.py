"""Media go through Django's storage API: the same paths work on S3-compatible storage.

moto's standalone server is a real HTTP server speaking the S3 protocol; boto3 and
django-storages talk to it exactly as they would to MinIO or AWS.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.files.base import ContentFile, File

from tests.support.s3 import create_bucket, storage_settings


@pytest.fixture
def s3_storage(s3_endpoint: str, settings: Any) -> Any:
    from django.core.files.storage import storages

    create_bucket(s3_endpoint, "zm-media")
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(s3_endpoint, "zm-media")}
    return storages["default"]


def test_storage_round_trip_streams_and_signs(s3_storage: Any, tmp_path: Path) -> None:
    payload = os.urandom(6 * 1024 * 1024 + 17)  # above the multipart threshold's first part
    source = tmp_path / "clip.bin"
    source.write_bytes(payload)
    with source.open("rb") as fh:
        name = s3_storage.save("uploads/abc/original", File(fh))
    assert s3_storage.exists(name)
    assert s3_storage.size(name) == len(payload)

    with s3_storage.open(name, "rb") as fh:
        received = io.BytesIO()
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            received.write(chunk)
    assert received.getvalue() == payload

    url = s3_storage.url(name)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    assert requests.get(url, timeout=10).content == payload

    # The same name again never overwrites: user files get their own key.
    second = s3_storage.save("uploads/abc/original", ContentFile(b"other"))
    assert second != name
    s3_storage.delete(name)
    s3_storage.delete(second)
    assert not s3_storage.exists(name)


@pytest.mark.django_db
def test_readiness_checks_s3_storage(s3_storage: Any, client: Any, settings: Any) -> None:
    settings.METRICS_TOKEN = "ops-token"
    body = client.get("/readyz", HTTP_AUTHORIZATION="Bearer ops-token").json()
    assert body["checks"]["storage"] == {"ok": True, "detail": "S3Storage"}
