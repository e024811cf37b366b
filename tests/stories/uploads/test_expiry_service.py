"""uploads_expire: marks exactly the due unfinished uploads and frees their files."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stories.uploads.models import Upload
from stories.uploads.services import uploads_expire

from .conftest import TUS, create, patch, upload_bytes

pytestmark = pytest.mark.django_db


def _make(client: Client, length: int, sent: bytes) -> Upload:
    url = create(client, length)["Location"]
    if sent:
        assert patch(client, url, 0, sent).status_code == 204
    return Upload.objects.get(pk=uuid.UUID(url.rsplit("/", 1)[-1]))


def test_expire_removes_exactly_the_due_uploads(
    client: Client, settings: Any, samples: Any
) -> None:
    due_a = _make(client, 100, b"a" * 40)
    due_b = _make(client, 100, b"")
    fresh = _make(client, 100, b"c" * 10)
    finished_url = upload_bytes(client, samples["mp4"].read_bytes())
    finished = Upload.objects.get(pk=uuid.UUID(finished_url.rsplit("/", 1)[-1]))
    past = timezone.now() - timedelta(minutes=1)
    Upload.objects.filter(pk__in=[due_a.pk, due_b.pk, finished.pk]).update(expires_at=past)

    report = uploads_expire(now=timezone.now())

    assert report.count == 2
    assert report.bytes_freed == 40
    states = dict(Upload.objects.values_list("pk", "state"))
    assert states[due_a.pk] == states[due_b.pk] == Upload.State.EXPIRED
    assert states[fresh.pk] == Upload.State.RECEIVING
    assert states[finished.pk] == Upload.State.COMPLETED
    work = settings.UPLOAD_TEMP_DIR
    assert not (work / f"{due_a.pk.hex}.part").exists()
    assert not (work / f"{due_b.pk.hex}.part").exists()
    assert (work / f"{fresh.pk.hex}.part").read_bytes() == b"c" * 10
    assert client.head(f"/api/v1/uploads/{due_a.pk}", **TUS).status_code == 410
    assert client.get(f"/api/v1/uploads/{due_a.pk}/status", **TUS).json()["state"] == "expired"
    assert uploads_expire(now=timezone.now()).count == 0


def test_expiry_is_fixed_from_creation(client: Client, settings: Any) -> None:
    settings.UPLOAD_EXPIRY_HOURS = 2
    upload = _make(client, 10, b"12345")
    assert upload.expires_at - upload.created_at == timedelta(hours=2)
    later = timezone.now() + timedelta(hours=2, seconds=1)
    assert uploads_expire(now=later).count == 1
