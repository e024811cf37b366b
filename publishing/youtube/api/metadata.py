"""Turning a story into a ``videos.insert`` body that YouTube will accept.

YouTube refuses (400) a title that is empty, over 100 characters or contains ``<``/``>``
(invalidTitle), a description over 5000 UTF-8 bytes or with ``<``/``>`` (invalidDescription) and
tags over 500 characters in total (invalidTags; a tag with a space counts its quotes, commas
count too). ``compose_metadata`` fixes all of that up front; ``metadata_problems`` tells the
publisher, in words, what will be changed or cannot be fixed automatically.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

TITLE_MAX_CHARS = 100
DESCRIPTION_MAX_BYTES = 5000
TAGS_MAX_CHARS = 500
HASHTAGS_MAX = 15
CATEGORY_NONPROFITS = "29"
PRIVACY_STATUSES = ("private", "unlisted", "public")
ELLIPSIS = "…"
LEFT_ANGLE = "\u2039"  # single left-pointing angle quotation mark
RIGHT_ANGLE = "\u203a"
_ANGLES = str.maketrans({"<": LEFT_ANGLE, ">": RIGHT_ANGLE})
_SPACES = re.compile(r"\s+")
_HASHTAG_JUNK = re.compile(r"[^\w]", re.UNICODE)


def tag_length(tags: Sequence[str]) -> int:
    """Characters ``tags`` use of YouTube's 500: quotes around tags with spaces, commas between."""
    total = sum(len(tag) + (2 if " " in tag else 0) for tag in tags)
    return total + max(len(tags) - 1, 0)


def clean_text(text: str) -> str:
    """Replace the angle brackets YouTube refuses with single angle quotation marks."""
    return text.translate(_ANGLES)


def shorten_title(title: str, limit: int = TITLE_MAX_CHARS) -> str:
    """Collapse whitespace and cut to ``limit`` characters at a word boundary with an ellipsis."""
    title = _SPACES.sub(" ", clean_text(title)).strip()
    if len(title) <= limit:
        return title
    cut = title[: limit - len(ELLIPSIS) + 1]
    boundary = cut.rfind(" ")
    cut = cut[:boundary] if boundary >= limit // 2 else cut[: limit - len(ELLIPSIS)]
    return cut.rstrip(" .,;:-\u2013\u2014") + ELLIPSIS


def truncate_utf8(text: str, max_bytes: int) -> str:
    """Cut ``text`` to at most ``max_bytes`` UTF-8 bytes, never inside a character.

    Prefers a word boundary near the end and appends an ellipsis when it had to cut.
    """
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    room = max_bytes - len(ELLIPSIS.encode("utf-8"))
    if room <= 0:
        return ""
    cut = text.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary >= len(cut) * 4 // 5:
        cut = cut[:boundary]
    return cut.rstrip() + ELLIPSIS


def _hashtags(hashtags: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for raw in hashtags:
        word = _HASHTAG_JUNK.sub("", raw.lstrip("#"))
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            result.append("#" + word)
    return result


def _tags(tags: Sequence[str]) -> tuple[list[str], list[str]]:
    kept: list[str] = []
    dropped: list[str] = []
    seen: set[str] = set()
    for raw in tags:
        tag = _SPACES.sub(" ", raw.replace("<", "").replace(">", "").replace(",", " ")).strip()
        if not tag or tag.casefold() in seen:
            continue
        seen.add(tag.casefold())
        if tag_length([*kept, tag]) <= TAGS_MAX_CHARS:
            kept.append(tag)
        else:
            dropped.append(tag)
    return kept, dropped


def _rfc3339(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("publish_at must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _description(
    *,
    story_text: str,
    credit: str,
    campaign_text: str,
    links: Sequence[str],
    hashtags: Sequence[str],
) -> tuple[str, bool]:
    """The description, and whether the story had to be shortened to fit 5000 bytes.

    The credit, campaign text, links and hashtags are kept whole; only the story is cut.
    """
    tail_parts = [clean_text(credit).strip(), clean_text(campaign_text).strip()]
    tail_parts.append("\n".join(clean_text(link).strip() for link in links if link.strip()))
    tail_parts.append(" ".join(hashtags))
    tail = "\n\n".join(part for part in tail_parts if part)
    story = clean_text(story_text).strip()
    separator = "\n\n" if story and tail else ""
    full = story + separator + tail
    if len(full.encode("utf-8")) <= DESCRIPTION_MAX_BYTES:
        return full, False
    room = DESCRIPTION_MAX_BYTES - len((separator + tail).encode("utf-8"))
    if room < 200:  # the fixed parts alone are too long: cut the whole text instead
        return truncate_utf8(full, DESCRIPTION_MAX_BYTES), True
    return truncate_utf8(story, room) + separator + tail, True


def compose_metadata(
    *,
    title: str,
    story_text: str,
    credit: str,
    campaign_text: str,
    links: Sequence[str],
    hashtags: Sequence[str],
    tags: Sequence[str],
    language: str,
    privacy: str = "private",
    publish_at: dt.datetime | None = None,
    made_for_kids: bool = False,
    synthetic: bool = False,
) -> dict[str, Any]:
    """A ``videos.insert`` body (parts snippet,status) that passes YouTube's validation.

    Fixes what can be fixed silently (length, angle brackets, tag budget). Raises ValueError
    for what cannot: an empty title, an unknown privacy, a naive ``publish_at`` or one on a
    video that is not private. ``metadata_problems`` reports the same in words.
    """
    clean_title = shorten_title(title)
    if not clean_title:
        raise ValueError("the title is empty")
    if privacy not in PRIVACY_STATUSES:
        raise ValueError(f"privacy must be one of {PRIVACY_STATUSES}, not {privacy!r}")
    if publish_at is not None and privacy != "private":
        raise ValueError("a scheduled publish_at needs privacy 'private'")
    description, _ = _description(
        story_text=story_text,
        credit=credit,
        campaign_text=campaign_text,
        links=links,
        hashtags=_hashtags(hashtags)[:HASHTAGS_MAX],
    )
    kept_tags, _ = _tags(tags)
    snippet: dict[str, Any] = {
        "title": clean_title,
        "description": description,
        "tags": kept_tags,
        "categoryId": CATEGORY_NONPROFITS,
    }
    if language:
        snippet["defaultLanguage"] = language
        snippet["defaultAudioLanguage"] = language
    status: dict[str, Any] = {
        "privacyStatus": privacy,
        "selfDeclaredMadeForKids": made_for_kids,
        "containsSyntheticMedia": synthetic,
        "embeddable": True,
        "license": "youtube",
    }
    if publish_at is not None:
        status["publishAt"] = _rfc3339(publish_at)
    return {"snippet": snippet, "status": status}


def metadata_problems(
    *,
    title: str,
    story_text: str,
    credit: str = "",
    campaign_text: str = "",
    links: Sequence[str] = (),
    hashtags: Sequence[str] = (),
    tags: Sequence[str] = (),
    language: str = "",
    privacy: str = "private",
    publish_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> list[str]:
    """Sentences for the publisher about what YouTube would refuse and how it will be changed.

    An empty list means the metadata goes to YouTube as written.
    """
    problems: list[str] = []
    stripped = _SPACES.sub(" ", title).strip()
    if not stripped:
        problems.append("The title is empty; YouTube needs a title.")
    elif len(stripped) > TITLE_MAX_CHARS:
        problems.append(
            f"The title has {len(stripped)} characters; YouTube allows {TITLE_MAX_CHARS}. "
            f"It will be shortened to “{shorten_title(title)}”."
        )
    if "<" in title or ">" in title:
        problems.append(
            "The title contains < or >, which YouTube refuses; "
            f"they become {LEFT_ANGLE} {RIGHT_ANGLE}."
        )
    text_fields = (story_text, credit, campaign_text, *links)
    if any("<" in text or ">" in text for text in text_fields):
        problems.append(
            "The description contains < or >, which YouTube refuses; "
            f"they become {LEFT_ANGLE} {RIGHT_ANGLE}."
        )
    clean_hashtags = _hashtags(hashtags)
    if len(clean_hashtags) > HASHTAGS_MAX:
        dropped = ", ".join(clean_hashtags[HASHTAGS_MAX:])
        problems.append(f"Only {HASHTAGS_MAX} hashtags are used; left out: {dropped}.")
    _, shortened = _description(
        story_text=story_text,
        credit=credit,
        campaign_text=campaign_text,
        links=links,
        hashtags=clean_hashtags[:HASHTAGS_MAX],
    )
    if shortened:
        problems.append(
            f"The description is longer than YouTube's {DESCRIPTION_MAX_BYTES} bytes; the story "
            "text will be shortened (credit, links and hashtags are kept)."
        )
    _, dropped_tags = _tags(tags)
    if dropped_tags:
        problems.append(
            f"The tags exceed YouTube's {TAGS_MAX_CHARS} characters; left out: "
            + ", ".join(dropped_tags)
            + "."
        )
    if not language:
        problems.append("No language is set; YouTube will not know the video's language.")
    if privacy not in PRIVACY_STATUSES:
        problems.append(f"Unknown privacy {privacy!r}; use private, unlisted or public.")
    if publish_at is not None:
        if privacy != "private":
            problems.append("A scheduled publication needs the video to be uploaded as private.")
        if publish_at.tzinfo is None:
            problems.append("The scheduled time has no time zone.")
        elif publish_at <= (now or dt.datetime.now(dt.UTC)):
            problems.append("The scheduled publication time is in the past.")
    return problems
