"""Reads for the public side: only published stories, in a fixed number of queries per page.

Everything a card needs (region, topic, poster key, YouTube id) comes with the story rows in
one query: regions and topics by join, the poster key and the video id as subqueries.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kernel.cache import VERSION_KEY
from publishing.youtube.models import Publication
from stories.forms import VIDEO_LANGUAGES
from stories.models import Region, Story, StoryMedia, Topic
from stories.selectors import media_poster_sources

from .defaults import PAGES
from .models import LegalPage, StoryPick

PUBLISHED = Story.Status.PUBLISHED
SEARCH_MAX = 100
FACETS_SECONDS = 600  # an upper bound; a change to any published story changes the key


@dataclass(frozen=True)
class GalleryFilters:
    region: str = ""
    topic: str = ""
    language: str = ""
    query: str = ""

    @property
    def active(self) -> bool:
        return bool(self.region or self.topic or self.language or self.query)


def _poster_key() -> Subquery:
    return Subquery(
        StoryMedia.objects.filter(
            story=OuterRef("pk"), is_current=True, state=StoryMedia.State.READY
        )
        .exclude(poster_key="")
        .values("poster_key")[:1]
    )


def _poster_sources() -> Subquery:
    # The responsive variants' keys (``stories.selectors.media_poster_sources`` reads the same).
    return Subquery(
        StoryMedia.objects.filter(
            story=OuterRef("pk"), is_current=True, state=StoryMedia.State.READY
        )
        .exclude(poster_key="")
        .values("summary__posters")[:1]
    )


def _video_id() -> Subquery:
    return Subquery(
        Publication.objects.filter(story=OuterRef("pk"), status=Publication.Status.PUBLISHED)
        .exclude(video_id="")
        # Only what YouTube plays to the public (publishing.youtube.truth.NOT_PLAYABLE).
        .exclude(youtube_privacy__in=("private", "deleted"))
        .values("video_id")[:1]
    )


def _filtered(filters: GalleryFilters) -> QuerySet[Story]:
    rows = Story.objects.filter(status=PUBLISHED)
    if filters.region:
        rows = rows.filter(region__slug=filters.region)
    if filters.topic:
        rows = rows.filter(topic__slug=filters.topic)
    if filters.language:
        rows = rows.filter(video_language=filters.language)
    if filters.query:
        words = filters.query.split()[:8]
        for word in words:
            rows = rows.filter(Q(title__icontains=word) | Q(text__icontains=word))
    return rows


def _with_card_data(rows: QuerySet[Story]) -> QuerySet[Story]:
    return (
        rows.select_related("region", "topic")
        .only(
            "public_id",
            "title",
            "text",
            "status",
            "credit",
            "credit_pseudonym",
            "submitter_name",
            "video_language",
            "language",
            "status_changed_at",
            "region__name",
            "region__slug",
            "topic__name",
            "topic__slug",
        )
        .annotate(poster_key=_poster_key(), poster_sources=_poster_sources(), video_id=_video_id())
        .order_by("-status_changed_at", "-id")
    )


def gallery_stories(*, filters: GalleryFilters | None = None) -> QuerySet[Story]:
    """Published stories, newest first, with region, topic, poster key and video id."""
    return _with_card_data(_filtered(filters or GalleryFilters()))


@dataclass(frozen=True)
class GalleryState:
    """How many stories are published and when any of them last changed: the cache key of
    everything derived from the whole set (region counts, filter options)."""

    count: int
    key: str


def gallery_state() -> GalleryState:
    """The state, from the cache under the public version number when it is there.

    Every transition into or out of "published" and every edit of a published story bumps
    that version (``kernel.cache.public_content_changed``), so the cached state is replaced
    at once; ``GALLERY_STATE_SECONDS`` bounds how long a change made elsewhere (the admin)
    takes to show. 0 reads the database on every request.
    """
    seconds = settings.GALLERY_STATE_SECONDS
    if seconds <= 0:
        return _gallery_state_from_db()
    key = f"gallery:state:{cache.get(VERSION_KEY) or 0}"
    state = cache.get(key)
    if not isinstance(state, GalleryState):
        state = _gallery_state_from_db()
        cache.set(key, state, seconds)
    return state


def _gallery_state_from_db() -> GalleryState:
    row = Story.objects.filter(status=PUBLISHED).aggregate(
        n=Count("pk"), changed=Max("status_changed_at"), touched=Max("updated_at")
    )
    return GalleryState(
        count=row["n"], key=f"{row['n']}:{row['changed']}:{row['touched']}".replace(" ", "_")
    )


class GalleryPage:
    """One page of cards: the ids of the page first (sorting ids only), then their rows."""

    def __init__(self, *, filters: GalleryFilters, state: GalleryState, size: int) -> None:
        self.filters = filters
        self.size = size
        self._ids = _filtered(filters).order_by("-status_changed_at", "-id")
        self.count = state.count if not filters.active else self._ids.count()

    def rows(self, offset: int) -> list[Story]:
        ids = list(self._ids.values_list("pk", flat=True)[offset : offset + self.size])
        by_id = {story.pk: story for story in _with_card_data(Story.objects.filter(pk__in=ids))}
        return [by_id[pk] for pk in ids if pk in by_id]


def gallery_facets(*, state: GalleryState) -> dict[str, Any]:
    """Regions and topics with their counts and the video languages, cached per state."""
    key = f"gallery:facets:{state.key}"
    facets = cache.get(key)
    if facets is None:
        facets = {
            "regions": gallery_regions(),
            "topics": gallery_topics(),
            "languages": gallery_languages(),
        }
        cache.set(key, facets, FACETS_SECONDS)
    return facets


def gallery_story(*, public_id: uuid.UUID) -> Story | None:
    """The published story with this id (None for every other status)."""
    return gallery_stories().filter(public_id=public_id).first()


def gallery_poster_key(*, public_id: uuid.UUID) -> str | None:
    """The storage key of a published story's poster; None for anything unpublished."""
    key = (
        StoryMedia.objects.filter(
            story__public_id=public_id,
            story__status=PUBLISHED,
            is_current=True,
            state=StoryMedia.State.READY,
        )
        .exclude(poster_key="")
        .values_list("poster_key", flat=True)
        .first()
    )
    return key or None


def gallery_poster_variant_key(*, public_id: uuid.UUID, name: str) -> str | None:
    """The storage key of one responsive poster (``"640.webp"``, ``"og.jpg"``) of a published
    story; None for anything unpublished or a variant that was never made."""
    media = (
        StoryMedia.objects.filter(
            story__public_id=public_id,
            story__status=PUBLISHED,
            is_current=True,
            state=StoryMedia.State.READY,
        )
        .exclude(poster_key="")
        .only("pk", "summary")
        .first()
    )
    if media is None:
        return None
    return media_poster_sources(media=media).get(name) or None


def gallery_regions() -> list[Region]:
    """Regions with at least one published story, each with ``story_count``."""
    return list(
        Region.objects.annotate(story_count=Count("story", filter=Q(story__status=PUBLISHED)))
        .filter(story_count__gt=0)
        .order_by("is_other", "position", "name")
    )


def gallery_topics() -> list[Topic]:
    """Topics with at least one published story, each with ``story_count``."""
    return list(
        Topic.objects.annotate(story_count=Count("story", filter=Q(story__status=PUBLISHED)))
        .filter(story_count__gt=0)
        .order_by("position", "name")
    )


def gallery_languages() -> list[tuple[str, str]]:
    """(code, label) of the languages spoken in published videos, in the form's order."""
    present = set(
        Story.objects.filter(status=PUBLISHED)
        .exclude(video_language="")
        .order_by()
        .values_list("video_language", flat=True)
        .distinct()
    )
    return [(code, str(label)) for code, label in VIDEO_LANGUAGES if code in present]


def video_language_label(code: str) -> str:
    return next((str(label) for c, label in VIDEO_LANGUAGES if c == code), "")


def gallery_sitemap_stories() -> QuerySet[Story]:
    return (
        Story.objects.filter(status=PUBLISHED)
        .only("public_id", "status_changed_at")
        .order_by("-status_changed_at", "-id")
    )


# --- Home page --------------------------------------------------------------------------
HOME_NEWEST = 6
HOME_PICKS = 3


@dataclass(frozen=True)
class HomeState:
    """The gallery's state plus the moderators' picks: the home page's cache key."""

    gallery: GalleryState
    key: str


def home_state() -> HomeState:
    """One cached read (two queries on a miss): see ``gallery_state`` for the lifetime."""
    gallery = gallery_state()
    seconds = settings.GALLERY_STATE_SECONDS
    cache_key = f"gallery:home-state:{cache.get(VERSION_KEY) or 0}:{gallery.key}"
    picks = cache.get(cache_key) if seconds > 0 else None
    if not isinstance(picks, str):
        row = StoryPick.objects.filter(story__status=PUBLISHED).aggregate(
            n=Count("pk"), last=Max("picked_at")
        )
        picks = f"{row['n']}:{row['last']}".replace(" ", "_")
        if seconds > 0:
            cache.set(cache_key, picks, seconds)
    return HomeState(gallery=gallery, key=f"{gallery.key}|{picks}")


def home_newest(*, limit: int = HOME_NEWEST) -> list[Story]:
    """The newest published stories with everything a card needs (one query)."""
    return list(gallery_stories()[:limit])


def home_picks(*, limit: int = HOME_PICKS) -> list[Story]:
    """The moderators' picks that are still published, the latest pick first (one query)."""
    rows = _with_card_data(Story.objects.filter(status=PUBLISHED, gallery_pick__isnull=False))
    return list(rows.order_by("-gallery_pick__picked_at", "-id")[:limit])


# --- Legal pages --------------------------------------------------------------------------
@dataclass(frozen=True)
class LegalText:
    kind: str
    title: str
    html: SafeString
    language: str  # the language the text is in (German when it is the fallback)
    updated_at: Any


# The only settings a legal page may show. Anything else in ``[[…]]`` stays as typed: the
# pages are public, and most settings (the secret key, credentials, addresses) are not.
LEGAL_PLACEHOLDERS = (
    "CAMPAIGN_NAME",
    "CAMPAIGN_ALLIANCE",
    "UPLOAD_EXPIRY_HOURS",
    "RETENTION_UNCONFIRMED_DAYS",
    "RETENTION_REJECTED_DAYS",
    "GALLERY_FEEDBACK_RETENTION_DAYS",
)
_PLACEHOLDER = re.compile(r"\[\[\s*([A-Za-z0-9_]+)\s*\]\]")


def legal_unknown_placeholders(text: str) -> list[str]:
    """The ``[[NAME]]`` placeholders in ``text`` that a legal page may not use, in order."""
    found = (m.group(1) for m in _PLACEHOLDER.finditer(text))
    return list(dict.fromkeys(name for name in found if name not in LEGAL_PLACEHOLDERS))


def _fill_settings(text: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in LEGAL_PLACEHOLDERS:
            return match.group(0)
        return str(getattr(settings, name, ""))

    return _PLACEHOLDER.sub(value, text)


def _flush(parts: list[str], paragraph: list[str], items: list[str]) -> None:
    if paragraph:
        parts.append("<p>" + "<br>".join(paragraph) + "</p>")
        paragraph.clear()
    if items:
        parts.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
        items.clear()


def legal_text_html(body: str) -> SafeString:
    """The admin's plain text as HTML: paragraphs, ``## `` headings, ``- `` lists; escaped."""
    parts: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    for line in _fill_settings(body).replace("\r\n", "\n").split("\n"):
        line = line.strip()
        if not line:
            _flush(parts, paragraph, items)
        elif line.startswith("## "):
            _flush(parts, paragraph, items)
            parts.append(f"<h2>{escape(line[3:].strip())}</h2>")
        elif line.startswith("- "):
            if paragraph:
                _flush(parts, paragraph, items)
            items.append(str(escape(line[2:].strip())))
        else:
            if items:
                _flush(parts, paragraph, items)
            paragraph.append(str(escape(line)))
    _flush(parts, paragraph, items)
    return mark_safe("\n".join(parts))  # noqa: S308 - every piece of text was escaped above


def legal_page(*, kind: str, language: str) -> LegalText:
    """The page in ``language``, else in German, else the built-in German default."""
    rows = {
        row.language: row
        for row in LegalPage.objects.filter(kind=kind, language__in={language, "de"})
    }
    row = rows.get(language) or rows.get("de")
    if row is not None:
        return LegalText(
            kind=kind,
            title=row.title,
            html=legal_text_html(row.body),
            language=row.language,
            updated_at=row.updated_at,
        )
    for default_kind, title, body in PAGES:
        if default_kind == kind:
            return LegalText(
                kind=kind, title=title, html=legal_text_html(body), language="de", updated_at=None
            )
    raise LookupError(kind)
