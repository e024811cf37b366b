"""Published stories for the gallery tests, made the way the product makes them: a story
row, a ready StoryMedia with its files in media storage, a published Publication."""

from __future__ import annotations

import io
import random
import secrets
import tempfile
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from publishing.youtube.models import Publication
from stories.audit import audit_record
from stories.models import Region, Story, StoryMedia, Topic
from stories.uploads.models import Upload


def poster_jpeg(colour: tuple[int, int, int] = (11, 79, 138)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (480, 270), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def poster_photo(seed: int = 0) -> bytes:
    """A 1280×720 JPEG with gradients and shapes: compresses like a video still, not a flat
    colour, so byte budgets measured with it mean something."""
    from PIL import ImageDraw, ImageFilter

    image = Image.linear_gradient("L").resize((1280, 720)).convert("RGB")
    r, g, b = image.split()
    image = Image.merge(
        "RGB",
        (r, g.rotate(90 + seed * 30, expand=False), b.transpose(Image.Transpose.FLIP_LEFT_RIGHT)),
    )
    draw = ImageDraw.Draw(image)
    rng = random.Random(seed)
    for _ in range(40):
        x, y = rng.randrange(1280), rng.randrange(720)
        size = rng.randrange(20, 200)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x, y, x + size, y + size), fill=colour)
    buffer = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(2)).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def poster_variants(poster: bytes, base: str) -> dict[str, str]:
    """The responsive posters, made by the pipeline's own function, stored as it stores them."""
    from workers.media.transcode import make_poster_variants

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "poster.jpg"
        source.write_bytes(poster)
        made = make_poster_variants(source, Path(folder))
        return {
            name: default_storage.save(f"{base}/poster-{name}", ContentFile(path.read_bytes()))
            for name, path in made.items()
        }


def region(slug: str, name: str) -> Region:
    return Region.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def topic(slug: str, name: str) -> Topic:
    return Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def make_story(
    *,
    title: str | None = None,
    text: str = "Amina kam 2016 nach Celle. Heute leitet sie eine Werkstatt und bildet aus.",
    status: str = Story.Status.PUBLISHED,
    region_slug: str = "celle",
    topic_slug: str = "arbeit",
    video_language: str = "de",
    language: str = "de",
    video_id: str | None = "",
    with_media: bool = True,
    name: str = "Amina Beispiel",
    email: str = "amina@example.org",
    published_ago: timedelta = timedelta(0),
    with_variants: bool = False,
) -> Story:
    """A story in ``status``; published ones get media, a publication and the audit entry."""
    story = Story.objects.create(
        access_token_hash=secrets.token_hex(32),
        status=status,
        title=title or f"Amina baut ihre Werkstatt auf {secrets.token_hex(2)}",
        text=text,
        region=region(region_slug, region_slug.replace("-", " ").title()),
        topic=topic(topic_slug, topic_slug.replace("-", " ").title()),
        language=language,
        video_language=video_language,
        submitter_name=name,
        submitter_email=email,
        credit=Story.Credit.FIRST_NAME,
        submitted_at=timezone.now() - published_ago - timedelta(days=3),
        status_changed_at=timezone.now() - published_ago,
    )
    if with_media:
        upload = Upload.objects.create(
            owner_key=str(story.public_id),
            length=10,
            offset=10,
            state=Upload.State.COMPLETED,
            storage_key=default_storage.save(
                f"uploads/{uuid.uuid4()}/original", ContentFile(b"original video bytes")
            ),
            sniffed_type="video/mp4",
            metadata={"filename": f"{name}.mp4"},
            expires_at=timezone.now() + timedelta(hours=24),
        )
        base = f"stories/{story.public_id}/media-x"
        poster = poster_photo(story.pk) if with_variants else poster_jpeg()
        summary = {"posters": poster_variants(poster, base)} if with_variants else {}
        StoryMedia.objects.create(
            story=story,
            upload=upload,
            state=StoryMedia.State.READY,
            master_key=default_storage.save(f"{base}/master.mp4", ContentFile(b"master")),
            preview_key=default_storage.save(f"{base}/preview.mp4", ContentFile(b"preview")),
            poster_key=default_storage.save(f"{base}/poster.jpg", ContentFile(poster)),
            summary=summary,
        )
    if status == Story.Status.PUBLISHED:
        vid = secrets.token_hex(5) if video_id == "" else video_id
        if vid:
            Publication.objects.create(
                story=story,
                status=Publication.Status.PUBLISHED,
                video_id=vid,
                metadata={"snippet": {"title": story.title, "description": f"von {name}"}},
                published_at=timezone.now() - published_ago,
            )
        audit_record(action="publishing.story.published", story=story)
    return story


@pytest.fixture
def story_factory() -> Callable[..., Story]:
    return make_story


@pytest.fixture
def many_stories() -> Callable[[int], list[Story]]:
    def create(count: int) -> list[Story]:
        return [
            make_story(
                title=f"Geschichte {i}",
                region_slug=("celle", "hannover", "goslar")[i % 3],
                topic_slug=("arbeit", "schule")[i % 2],
                video_language=("de", "ar")[i % 2],
            )
            for i in range(count)
        ]

    return create


def absolute_site(settings: Any) -> str:
    return str(settings.SITE_URL)
