"""The gallery over HTTP: only published stories, filters, pages, posters, feeds, sitemap."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from defusedxml import ElementTree
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stories.models import Story

pytestmark = pytest.mark.django_db

S = Story.Status


def test_only_published_stories_are_listed(
    client: Client, story_factory: Callable[..., Story]
) -> None:
    shown = story_factory(title="Veröffentlicht in Celle")
    for status in (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.WITHDRAWN, S.TAKEN_DOWN, S.REJECTED):
        story_factory(title=f"Nicht zu sehen {status}", status=status)
    html = client.get("/geschichten/").content.decode()
    assert "Veröffentlicht in Celle" in html
    assert "Nicht zu sehen" not in html
    assert f"/geschichten/{shown.public_id}/" in html
    assert f"/geschichten/{shown.public_id}/poster.jpg" in html


def test_filters_search_and_region_counts(
    client: Client, story_factory: Callable[..., Story]
) -> None:
    story_factory(title="Pflegekraft in Hannover", region_slug="hannover", topic_slug="pflege")
    story_factory(
        title="Schule in Celle", region_slug="celle", topic_slug="schule", video_language="ar"
    )
    story_factory(
        title="Werkstatt in Celle",
        region_slug="celle",
        topic_slug="arbeit",
        text="Ein Tischler bildet in Celle junge Leute aus und ist stolz darauf.",
    )

    def titles(query: str) -> set[str]:
        html = client.get(f"/geschichten/?{query}").content.decode()
        return set(re.findall(r'class="story-card-title"[^>]*>([^<]+)<', html))

    assert titles("region=celle") == {"Schule in Celle", "Werkstatt in Celle"}
    assert titles("thema=pflege") == {"Pflegekraft in Hannover"}
    assert titles("sprache=ar") == {"Schule in Celle"}
    assert titles("suche=tischler") == {"Werkstatt in Celle"}
    assert titles("suche=celle&thema=schule") == {"Schule in Celle"}
    assert titles("region=nirgendwo") == set()
    html = client.get("/geschichten/").content.decode()
    regions = html.split('id="regions-title"', 1)[1]
    assert re.search(r"Celle</a>\s*<span class=\"count\">2 Geschichten", regions)
    assert re.search(r"Hannover</a>\s*<span class=\"count\">1 Geschichte<", regions)


def test_pages(client: Client, settings: Any, many_stories: Callable[[int], list[Story]]) -> None:
    settings.GALLERY_PAGE_SIZE = 4
    many_stories(10)
    first = client.get("/geschichten/?region=celle").content.decode()
    assert "Seite 1 von 1" not in first  # 4 Celle stories fit on one page
    html = client.get("/geschichten/").content.decode()
    assert "Seite 1 von 3" in html
    assert 'href="?seite=2" rel="next"' in html
    last = client.get("/geschichten/?seite=3").content.decode()
    assert last.count('class="story-card"') == 2
    assert client.get("/geschichten/?seite=99").status_code == 200  # the last page


@pytest.mark.parametrize("path", ["/geschichten/", "/geschichten/?region=celle&suche=x", "story"])
def test_queries_do_not_grow_with_the_number_of_stories(
    client: Client,
    django_assert_max_num_queries: Any,
    many_stories: Callable[[int], list[Story]],
    path: str,
) -> None:
    def count(url: str, *, cold: bool) -> int:
        if cold:
            cache.clear()  # region counts and filter options are cached per gallery state
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = many_stories(5)
    url = f"/geschichten/{few[0].public_id}/" if path == "story" else path
    cold, warm = count(url, cold=True), count(url, cold=False)
    many_stories(45)
    cache.clear()
    with django_assert_max_num_queries(cold):
        client.get(url)
    assert count(url, cold=True) == cold
    assert count(url, cold=False) == warm
    assert cold <= 7 and warm <= 4


def test_story_page(client: Client, settings: Any, story_factory: Callable[..., Story]) -> None:
    settings.SITE_URL = "https://geschichten.example.org"
    story = story_factory(title="Amina baut auf", name="Amina Beispiel", video_id="abcDEF12345")
    html = client.get(f"/geschichten/{story.public_id}/").content.decode()
    assert "Erzählt von Amina" in html and "Amina Beispiel" not in html  # first name only
    url = f"https://geschichten.example.org/geschichten/{story.public_id}/"
    assert f'<meta property="og:url" content="{url}">' in html
    assert f'<meta property="og:image" content="{url}poster.jpg">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert 'data-src="https://www.youtube-nocookie.com/embed/abcDEF12345?autoplay=1' in html
    assert "<iframe" not in html  # the player only comes after the click
    assert "<script" in html and 'src="/static/js/embed.js"' in html
    assert not re.search(r"<script>(?!</script>)", html)  # no inline script
    assert "wa.me/?text=" in html and "mailto:?" in html  # share links are plain links


def test_story_without_video_shows_the_poster(
    client: Client, story_factory: Callable[..., Story]
) -> None:
    story = story_factory(video_id=None)
    html = client.get(f"/geschichten/{story.public_id}/").content.decode()
    assert "data-embed" not in html and "youtube" not in html.split("<main", 1)[1].split(
        "</main>", 1
    )[0].replace("YouTube", "")
    assert 'class="story-poster"' in html


@pytest.mark.parametrize("status", [S.DRAFT, S.IN_REVIEW, S.APPROVED, S.WITHDRAWN, S.ERASED])
def test_unpublished_stories_and_posters_are_not_found(
    client: Client, story_factory: Callable[..., Story], status: str
) -> None:
    story = story_factory(status=status)
    assert client.get(f"/geschichten/{story.public_id}/").status_code == 404
    assert client.get(f"/geschichten/{story.public_id}/poster.jpg").status_code == 404


def test_poster_is_streamed_with_cache_headers(
    client: Client, settings: Any, story_factory: Callable[..., Story]
) -> None:
    settings.GALLERY_POSTER_MAX_AGE = 120
    story = story_factory()
    response = client.get(f"/geschichten/{story.public_id}/poster.jpg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body[:3] == b"\xff\xd8\xff"
    assert "max-age=120" in response["Cache-Control"] and "public" in response["Cache-Control"]
    again = client.get(
        f"/geschichten/{story.public_id}/poster.jpg", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304


def test_feeds_and_sitemap_list_published_stories_on_site_url(
    client: Client, settings: Any, story_factory: Callable[..., Story]
) -> None:
    settings.SITE_URL = "https://geschichten.example.org"
    shown = story_factory(title="Im Feed")
    hidden = story_factory(title="Zurückgezogen", status=S.WITHDRAWN)
    rss = client.get("/geschichten/feed/")
    assert rss.status_code == 200 and "rss" in rss["Content-Type"]
    text = rss.content.decode()
    assert f"https://geschichten.example.org/geschichten/{shown.public_id}/" in text
    assert "Im Feed" in text and "Zurückgezogen" not in text
    assert str(hidden.public_id) not in text
    atom = client.get("/geschichten/feed/atom/").content.decode()
    assert "<feed" in atom and "Im Feed" in atom
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    urls = [
        loc.text
        for loc in ElementTree.fromstring(sitemap.content).iter(
            "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
        )
    ]
    assert f"https://geschichten.example.org/geschichten/{shown.public_id}/" in urls
    assert "https://geschichten.example.org/impressum/" in urls
    assert not any(str(hidden.public_id) in (u or "") for u in urls)


def test_feed_has_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: Any, many_stories: Callable[[int], list[Story]]
) -> None:
    many_stories(40)
    with django_assert_max_num_queries(3):
        client.get("/geschichten/feed/")
    with django_assert_max_num_queries(3):
        client.get("/sitemap.xml")


def test_withdrawal_removes_the_story_at_once(
    client: Client, story_factory: Callable[..., Story], django_capture_on_commit_callbacks: Any
) -> None:
    from stories.services import story_withdraw

    story = story_factory(title="Bald zurückgezogen")
    assert "Bald zurückgezogen" in client.get("/geschichten/").content.decode()
    # As in production, the withdrawal commits (and so empties the page cache).
    with django_capture_on_commit_callbacks(execute=True):
        story_withdraw(story=story, comment="test")
    assert "Bald zurückgezogen" not in client.get("/geschichten/").content.decode()
    assert client.get(f"/geschichten/{story.public_id}/").status_code == 404
    assert client.get(f"/geschichten/{story.public_id}/poster.jpg").status_code == 404
    assert str(story.public_id) not in client.get("/sitemap.xml").content.decode()
    assert str(story.public_id) not in client.get("/geschichten/feed/").content.decode()


def test_story_age_ordering(client: Client, story_factory: Callable[..., Story]) -> None:
    story_factory(title="Alt", published_ago=timedelta(days=10))
    story_factory(title="Neu")
    html = client.get("/geschichten/").content.decode()
    assert html.index("Neu") < html.index("Alt")
