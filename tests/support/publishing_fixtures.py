"""Publishing through a real Celery worker talking HTTP to the YouTube stand-in.

Loaded once for the whole session by tests/conftest.py (``pytest_plugins``), so every test
module shares one stand-in and one publish worker: a second pair would consume the same
queue and talk to another stand-in.

The stand-in runs as a subprocess; a dedicated worker gets its URLs in its environment and
consumes a queue of its own, so the shared test worker (which talks to no stand-in) never
picks up a publishing task while both run in one session.
"""

from __future__ import annotations

import io
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from kernel.roles import Role
from publishing.youtube import services
from publishing.youtube.models import Publication, YouTubeChannel
from stories.models import ConsentText, Region, Story, StoryMedia, Topic
from stories.uploads.models import Upload
from tests.publishing.youtube.conftest import Standin
from tests.support.services import CeleryWorker, routed, wait_for

KIB = 1024
CHUNK = 256 * KIB
REFRESH_TOKEN = "1//standin-publishing-tests"
TEST_QUEUE = f"publish-test-{os.getpid()}"


@pytest.fixture(scope="session")
def youtube_standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standin]:
    server = Standin(tmp_path_factory.mktemp("youtube-standin"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _publish_routing() -> Iterator[str]:
    """Send ``workers.tasks.publish.*`` from this process to the test worker's own queue."""
    with routed("workers.tasks.publish.*", TEST_QUEUE):
        yield TEST_QUEUE


class PublishWorker:
    """The publish worker; restarted with other settings when a test needs them."""

    def __init__(self, base_env: dict[str, str], log_path: Path) -> None:
        self.base_env = base_env
        self.log_path = log_path
        self.extra: dict[str, str] = {}
        self.worker: CeleryWorker | None = None

    def ensure(self, **extra: str) -> CeleryWorker:
        alive = self.worker is not None and self.worker.process is not None
        alive = alive and self.worker.process.poll() is None  # type: ignore[union-attr]
        if alive and extra == self.extra:
            assert self.worker is not None
            return self.worker
        self.stop()
        self.extra = dict(extra)
        self.worker = CeleryWorker(
            env={**self.base_env, **extra},
            queues=TEST_QUEUE,
            concurrency=2,
            log_path=self.log_path,
        )
        self.worker.start()
        return self.worker

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def log_tail(self) -> str:
        return self.worker.log_tail(80) if self.worker else ""


@pytest.fixture(scope="session")
def _publish_worker_process(
    process_env: dict[str, str],
    youtube_standin: Standin,
    session_dir: Path,
    _publish_routing: str,
) -> Iterator[PublishWorker]:
    env = {
        **process_env,
        "YOUTUBE_API_URL": youtube_standin.url,
        "YOUTUBE_TOKEN_URI": youtube_standin.url + "token",
        "YOUTUBE_AUTH_URI": youtube_standin.url + "o/oauth2/auth",
        "YOUTUBE_CHUNK_MB": "0.25",  # 256 KiB chunks: a few MiB make many chunks
    }
    worker = PublishWorker(env, session_dir / "publish-worker.log")
    yield worker
    worker.stop()


@pytest.fixture
def publish_worker(
    _publish_worker_process: PublishWorker,
    youtube_standin: Standin,
    transactional_db: None,
    settings: Any,
) -> Iterator[PublishWorker]:
    """A worker on a fresh quota day, no faults, zeroed counters, a connected channel."""
    settings.YOUTUBE_API_URL = youtube_standin.url
    settings.YOUTUBE_TOKEN_URI = youtube_standin.url + "token"
    settings.YOUTUBE_AUTH_URI = youtube_standin.url + "o/oauth2/auth"
    youtube_standin.faults()
    youtube_standin.reset_quota()
    youtube_standin.reset_counters()
    _publish_worker_process.ensure()
    yield _publish_worker_process


@pytest.fixture
def channel(publish_worker: PublishWorker) -> YouTubeChannel:
    return services.channel_connect(refresh_token=REFRESH_TOKEN, actor=None, title="Stand-in")


@pytest.fixture
def admin_user(transactional_db: None) -> User:
    group, _ = Group.objects.get_or_create(name=Role.CAMPAIGN_ADMIN)
    user = User.objects.create_user(
        username=f"admin-{secrets.token_hex(3)}", email="kampagne@example.org", password="x"
    )
    user.groups.add(group)
    return user


@pytest.fixture
def publisher_user(transactional_db: None) -> User:
    group, _ = Group.objects.get_or_create(name=Role.PUBLISHER)
    user = User.objects.create_user(
        username=f"publisher-{secrets.token_hex(3)}", email="pub@example.org", password="x"
    )
    user.groups.add(group)
    return user


def poster_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 180), (200, 40, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def make_approved_story(
    *, title: str | None = None, text: str | None = None, master_size: int = 4 * CHUNK + 999
) -> Story:
    """An approved story whose processed master (random bytes) and poster are in storage."""
    # Transactional tests flush the seeded rows: bring what a withdrawal needs.
    ConsentText.objects.get_or_create(
        purpose=ConsentText.Purpose.PUBLICATION,
        version=1,
        language="de",
        defaults={"text": "Veröffentlichung auf YouTube"},
    )
    region, _ = Region.objects.get_or_create(slug="celle", defaults={"name": "Celle"})
    topic, _ = Topic.objects.get_or_create(
        slug="arbeit-und-ausbildung", defaults={"name": "Arbeit und Ausbildung"}
    )
    story = Story.objects.create(
        access_token_hash=secrets.token_hex(32),
        status=Story.Status.APPROVED,
        title=title or f"Amina baut ihre Werkstatt auf {secrets.token_hex(3)}",
        text=text or "Amina kam 2016 nach Celle. Heute leitet sie eine Werkstatt und bildet aus.",
        region=region,
        topic=topic,
        language="de",
        video_language="de",
        submitter_name="Amina Beispiel",
        submitter_email="amina@example.org",
        credit=Story.Credit.FIRST_NAME,
    )
    upload = Upload.objects.create(
        owner_key=str(story.public_id),
        length=10,
        offset=10,
        state=Upload.State.COMPLETED,
        storage_key=f"uploads/{uuid.uuid4()}/original",
        sniffed_type="video/mp4",
        expires_at=timezone.now() + timedelta(hours=24),
    )
    base = f"stories/{story.public_id}/media-test"
    master_key = default_storage.save(f"{base}/master.mp4", ContentFile(os.urandom(master_size)))
    poster_key = default_storage.save(f"{base}/poster.jpg", ContentFile(poster_bytes()))
    StoryMedia.objects.create(
        story=story,
        upload=upload,
        state=StoryMedia.State.READY,
        master_key=master_key,
        poster_key=poster_key,
    )
    return story


def publication_of(story: Story) -> Publication:
    return Publication.objects.get(story=story)


def wait_for_status(
    story: Story, status: str, worker: PublishWorker, *, timeout: float = 90
) -> Publication:
    """Wait until the story's publication reaches ``status``; shows the worker log if not."""
    try:
        wait_for(
            lambda: Publication.objects.filter(story=story, status=status).exists(),
            timeout=timeout,
            what=f"publication status {status}",
            interval=0.1,
        )
    except TimeoutError as error:
        now = list(Publication.objects.filter(story=story).values("status", "last_error"))
        raise AssertionError(f"{error}; publication: {now}\n{worker.log_tail()}") from error
    return publication_of(story)


def videos_titled(standin: Standin, title: str) -> dict[str, Any]:
    return {
        video_id: video
        for video_id, video in standin.state()["videos"].items()
        if video["title"] == title
    }


@pytest.fixture
def story_factory(publish_worker: PublishWorker) -> Callable[..., Story]:
    return make_approved_story
