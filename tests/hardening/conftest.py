"""Fixtures for the hardening tests: seeded data for transactional tests, staff, stories."""

from __future__ import annotations

import base64
import importlib
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from tests.moderation.factories import make_user


@pytest.fixture
def seeded(transactional_db: None) -> None:
    """Transactional tests start from a flushed database: put back what migrations seed."""
    from django.apps import apps

    for module in (
        "stories.migrations.0002_seed_regions_topics_consents",
        "moderation.migrations.0002_roles_and_rejection_reasons",
    ):
        migration = importlib.import_module(module)
        (getattr(migration, "seed", None) or migration.forwards)(apps, None)


@pytest.fixture
def campaign_admin(seeded: None) -> User:
    return make_user("campaign_admin")


@pytest.fixture
def moderator(seeded: None) -> User:
    return make_user("moderator")


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-second video made by ffmpeg: enough for the real media pipeline."""
    from workers.media.samples import make_clip

    return make_clip(
        tmp_path_factory.mktemp("hardening-clips") / "clip.mp4",
        width=160,
        height=120,
        duration_s=1,
    )


def mails_to(mail_dir: Path, address: str) -> int:
    """How many e-mails the worker's file backend wrote to ``address``."""
    return sum(
        path.read_text(errors="replace").count(f"To: {address}")
        for path in mail_dir.glob("*")
        if path.is_file()
    )


def reconcile_later(*, seconds: int | None = None) -> dict[str, int]:
    """Run the reconciler as if JOB_STUCK_AFTER had passed (it runs every minute in beat)."""
    import workers.tasks.kits
    import workers.tasks.mail
    import workers.tasks.media
    import workers.tasks.publish  # noqa: F401 - each task module registers its job kinds
    from workers.reconcile import reconcile_all

    ahead = seconds if seconds is not None else settings.JOB_STUCK_AFTER + 60
    return reconcile_all(now=timezone.now() + timedelta(seconds=ahead))


def tus_upload(base: str, clip: Path, *, token: str, http: requests.Session | None = None) -> str:
    """Upload ``clip`` with the draft's upload token in one tus PATCH; returns the upload id."""
    http = http or requests.Session()
    data = clip.read_bytes()
    metadata = f"filename {base64.b64encode(clip.name.encode()).decode()}"
    tus = {"Tus-Resumable": "1.0.0", "Upload-Token": token}
    response = http.post(
        f"{base}/api/v1/uploads/",
        headers={**tus, "Upload-Length": str(len(data)), "Upload-Metadata": metadata},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    upload_url = location if location.startswith("http") else base + location
    response = http.patch(
        upload_url,
        data=data,
        headers={**tus, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
        timeout=60,
    )
    assert response.status_code == 204, response.text
    return upload_url.rstrip("/").rsplit("/", 1)[-1]
