"""Disk full while a chunk arrives: keep what was written, answer 507, resume later.

The working folder is a real, tiny tmpfs, so the kernel itself reports ENOSPC. Mounting
needs CAP_SYS_ADMIN; where the tests run without it, this module is skipped.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from stories.uploads.models import Upload

from .conftest import TUS, create, patch

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_disk(tmp_path: Path, settings: Any) -> Iterator[Path]:
    mountpoint = tmp_path / "tiny"
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mountpoint)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs CAP_SYS_ADMIN)")
    settings.UPLOAD_TEMP_DIR = mountpoint
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def test_disk_full_keeps_the_bytes_written_and_answers_507(client: Client, tiny_disk: Path) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB, four times what the disk holds
    url = create(client, len(data))["Location"]
    upload = Upload.objects.get(pk=uuid.UUID(url.rsplit("/", 1)[-1]))
    working = tiny_disk / f"{upload.id.hex}.part"

    full = patch(client, url, 0, data)
    assert full.status_code == 507
    assert "disk space" in full.json()["message"]
    kept = int(client.head(url, **TUS)["Upload-Offset"])
    assert 0 < kept < len(data)
    assert working.read_bytes() == data[:kept]

    subprocess.run(["mount", "-o", "remount,size=4m", str(tiny_disk)], check=True)
    rest = patch(client, url, kept, data[kept:])
    assert rest.status_code == 204
    assert rest["Upload-Offset"] == str(len(data))
