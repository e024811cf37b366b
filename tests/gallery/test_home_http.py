"""The campaign home page over HTTP: people's stills and titles (newest and picked), how it
works, counts by region, a cached body, and the sharing tags every public page carries."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from publishing.gallery import services
from publishing.gallery.og_image import DEFAULT_OG_IMAGE
from stories.models import Story

pytestmark = pytest.mark.django_db

S = Story.Status


def test_home_shows_newest_and_picked_stories_with_responsive_stills(
    client: Client, story_factory: Callable[..., Story]
) -> None:
    picked = story_factory(title="Ausgewählt in Goslar", region_slug="goslar", with_variants=True)
    newest = story_factory(title="Neu in Celle", with_variants=True)
    hidden = story_factory(title="Noch in Prüfung", status=S.IN_REVIEW)
    services.story_pick(story=picked)
    html = client.get("/").content.decode()
    assert "Ausgewählte Geschichten" in html and "Neue Geschichten" in html
    picks = html[html.index('id="picks-title"') : html.index('id="newest-title"')]
    assert "Ausgewählt in Goslar" in picks and "Neu in Celle" not in picks
    assert "Neu in Celle" in html[html.index('id="newest-title"') :]
    assert "Noch in Prüfung" not in html and str(hidden.public_id) not in html
    webp = f"/geschichten/{newest.public_id}/poster-640.webp 640w"
    assert re.search(rf'<source type="image/webp" srcset="[^"]*{re.escape(webp)}', html)
    assert f'src="/geschichten/{newest.public_id}/poster-640.jpg"' in html
    assert 'width="640" height="360" loading="lazy"' in html
    assert "So geht es" in html and html.count('class="how-steps"') == 1
    assert "Geschichten nach Region" in html and "?region=goslar" in html
    assert 'href="/mitmachen/"' in html


def test_a_pick_of_a_withdrawn_story_leaves_the_home_page(
    client: Client, story_factory: Callable[..., Story]
) -> None:
    story = story_factory(title="Bald zurückgezogen")
    services.story_pick(story=story)
    assert "Ausgewählte Geschichten" in client.get("/").content.decode()
    Story.objects.filter(pk=story.pk).update(status=S.WITHDRAWN)
    cache.clear()
    html = client.get("/").content.decode()
    assert "Bald zurückgezogen" not in html and "Ausgewählte Geschichten" not in html


def test_picking_needs_a_published_story(story_factory: Callable[..., Story]) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.story_pick(story=story_factory(status=S.IN_REVIEW))


def test_a_new_pick_shows_at_once_and_the_warm_page_costs_no_query(
    client: Client,
    django_capture_on_commit_callbacks: Any,
    many_stories: Callable[[int], list[Story]],
) -> None:
    stories = many_stories(12)
    client.get("/")
    with CaptureQueriesContext(connection) as warm:
        assert client.get("/").status_code == 200
    assert len(warm) == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.story_pick(story=stories[3])
    html = client.get("/").content.decode()
    assert "Ausgewählte Geschichten" in html and stories[3].title in html
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get("/")
    assert len(cold) <= 7  # state, picks, picked rows, newest rows, region counts, topics, langs


def test_poster_variants_are_served_for_published_stories_only(
    client: Client, story_factory: Callable[..., Story]
) -> None:
    story = story_factory(with_variants=True)
    response = client.get(f"/geschichten/{story.public_id}/poster-320.webp")
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    og = b"".join(client.get(f"/geschichten/{story.public_id}/poster-og.jpg").streaming_content)  # type: ignore[attr-defined]
    assert Image.open(io.BytesIO(og)).size == (1200, 630)
    assert client.get(f"/geschichten/{story.public_id}/poster-999.webp").status_code == 404
    assert client.get(f"/geschichten/{story.public_id}/poster-x.png").status_code == 404
    Story.objects.filter(pk=story.pk).update(status=S.WITHDRAWN)
    assert client.get(f"/geschichten/{story.public_id}/poster-320.webp").status_code == 404


def _meta(html: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert found, key
    return found.group(1)


@pytest.mark.parametrize(
    "path", ["/", "/geschichten/", "/mitmachen/", "/impressum/", "/barrierefreiheit/"]
)
def test_every_public_page_has_a_large_sharing_preview(
    client: Client, settings: Any, path: str
) -> None:
    settings.SITE_URL = "https://geschichten.example.org"
    html = client.get(path).content.decode()
    image = _meta(html, "og:image")
    assert image == f"https://geschichten.example.org/static/{DEFAULT_OG_IMAGE}"
    assert _meta(html, "twitter:image") == image
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert (_meta(html, "og:image:width"), _meta(html, "og:image:height")) == ("1200", "630")
    assert _meta(html, "og:title") and _meta(html, "og:description")
    assert _meta(html, "og:url").startswith("https://geschichten.example.org/")


def test_the_default_sharing_image_is_1200_by_630() -> None:
    path = Path(django_settings.BASE_DIR) / "static" / DEFAULT_OG_IMAGE
    with Image.open(path) as image:
        assert image.size == (1200, 630) and image.format == "JPEG"


def test_a_story_page_shares_its_own_1200_by_630_still(
    client: Client, settings: Any, story_factory: Callable[..., Story]
) -> None:
    settings.SITE_URL = "https://geschichten.example.org"
    story = story_factory(title="Amina baut auf", with_variants=True)
    html = client.get(f"/geschichten/{story.public_id}/").content.decode()
    url = f"https://geschichten.example.org/geschichten/{story.public_id}/"
    assert _meta(html, "og:image") == f"{url}poster-og.jpg"
    assert _meta(html, "og:title") == "Amina baut auf"
    assert _meta(html, "og:type") == "article"
    assert html.count('property="og:image"') == 1


def test_latin_titles_are_isolated_in_arabic(
    client: Client, story_factory: Callable[..., Story]
) -> None:
    story = story_factory(title="Amina baut auf", video_id=None)
    html = client.get(f"/geschichten/{story.public_id}/", HTTP_ACCEPT_LANGUAGE="ar").content
    text = html.decode()
    assert 'lang="ar" dir="rtl"' in text
    assert "«\u2068Amina baut auf\u2069»" in text  # Arabic quotation marks, isolated title
    assert "„" not in text
    assert "<bdi>ZUSAMMEN. MEHR.</bdi>" in text


def test_campaign_admins_pick_and_unpick_in_the_admin_with_an_audit_entry(
    client: Client, story_factory: Callable[..., Story]
) -> None:
    from django.contrib.auth.models import User

    from publishing.gallery.models import StoryPick
    from stories.models import AuditEntry

    story = story_factory(title="Für die Startseite")
    admin = User.objects.create_superuser("kampagne", "kampagne@example.org", "pw")
    client.force_login(admin)
    draft = story_factory(title="Entwurf", status=S.DRAFT)
    refused = client.post("/admin/gallery/storypick/add/", {"story": draft.pk})
    assert refused.status_code == 200
    assert "Nur veröffentlichte Geschichten können ausgewählt werden." in refused.content.decode()
    response = client.post("/admin/gallery/storypick/add/", {"story": story.pk})
    assert response.status_code == 302, response.content.decode()[:500]
    pick = StoryPick.objects.get(story=story)
    assert pick.picked_by == admin
    assert AuditEntry.objects.filter(story=story, action="gallery.story.pick").count() == 1
    client.post(f"/admin/gallery/storypick/{pick.pk}/delete/", {"post": "yes"})
    assert not StoryPick.objects.filter(story=story).exists()
    assert AuditEntry.objects.filter(story=story, action="gallery.story.unpick").count() == 1
