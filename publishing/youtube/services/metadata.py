"""Writes for what a video says on YouTube: the videos.insert body, the publisher's edits,
and the region and topic playlists it goes into.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kernel.errors import ConflictError
from stories.audit import audit_record
from stories.models import Story

from ..api import compose_metadata, metadata_problems
from ..lifecycle import EDITABLE, Actor
from ..models import Playlist, Publication


def _story_metadata_fields(story: Story) -> dict[str, Any]:
    with translation.override(story.language or settings.LANGUAGE_CODE):
        credit = ""
        if story.credit and story.credit != Story.Credit.ANONYMOUS and story.credit_line:
            credit = _("Erzählt von %(name)s") % {"name": story.credit_line}
        campaign_text = _("%(campaign)s – eine Kampagne von %(alliance)s") % {
            "campaign": settings.CAMPAIGN_NAME,
            "alliance": settings.CAMPAIGN_ALLIANCE,
        }
    region = story.region.name if story.region and not story.region.is_other else ""
    topic = story.topic.name if story.topic else ""
    return {
        "title": story.title or settings.CAMPAIGN_NAME,
        "story_text": story.text,
        "credit": credit,
        "campaign_text": campaign_text,
        "links": [settings.SITE_URL + "/"],
        "hashtags": ["ZusammenMehr", region, topic],
        "tags": [name for name in (settings.CAMPAIGN_NAME, region, topic) if name],
        "language": story.video_language or story.language,
    }


def _privacy(publish_at: dt.datetime | None) -> str:
    # A scheduled publication is uploaded private and switched public by YouTube itself.
    return "private" if publish_at is not None else settings.YOUTUBE_PRIVACY


def publication_compose_metadata(
    *, story: Story, publish_at: dt.datetime | None = None
) -> dict[str, Any]:
    """The ``videos.insert`` body for a story, already fixed to pass YouTube's validation."""
    return compose_metadata(
        **_story_metadata_fields(story), privacy=_privacy(publish_at), publish_at=publish_at
    )


def publication_update_metadata(
    *,
    publication: Publication,
    actor: Actor,
    title: str,
    description: str,
    tags: Iterable[str],
) -> tuple[Publication, list[str]]:
    """The publisher's edit of title, description and tags before the upload starts.

    Returns the publication with the fixed metadata and the sentences ``metadata_problems``
    has about what was changed. Raises ConflictError once the upload has begun and
    ValidationError for what cannot be fixed (an empty title).
    """
    tag_list = [tag.strip() for tag in tags if tag.strip()]
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.status not in EDITABLE or locked.session_uri or locked.video_id:
            raise ConflictError(
                _("Die Angaben können nach dem Start des Hochladens nicht mehr geändert werden."),
                extra={"status": locked.status},
            )
        language = str((locked.metadata.get("snippet") or {}).get("defaultLanguage", ""))
        privacy = _privacy(locked.publish_at)
        problems = metadata_problems(
            title=title,
            story_text=description,
            tags=tag_list,
            language=language,
            privacy=privacy,
            publish_at=locked.publish_at,
        )
        try:
            metadata = compose_metadata(
                title=title,
                story_text=description,
                credit="",
                campaign_text="",
                links=[],
                hashtags=[],
                tags=tag_list,
                language=language,
                privacy=privacy,
                publish_at=locked.publish_at,
            )
        except ValueError as error:
            raise ValidationError({"title": [_("YouTube braucht einen Titel.")]}) from error
        before = dict(locked.metadata.get("snippet") or {})
        locked.metadata = metadata
        locked.save(update_fields=["metadata", "updated_at"])
        after = metadata["snippet"]
        audit_record(
            action="publishing.publication.edit_metadata",
            story=locked.story,
            actor=actor,
            before={key: before.get(key) for key in ("title", "description", "tags")},
            after={key: after.get(key) for key in ("title", "description", "tags")},
            comment=" ".join(problems),
        )
    return locked, problems


def playlist_remember(*, kind: str, key: str, title: str, youtube_id: str) -> Playlist:
    """Remember a playlist created on the channel for a region or topic."""
    playlist, _created = Playlist.objects.update_or_create(
        kind=kind, key=key, defaults={"title": title, "youtube_id": youtube_id}
    )
    return playlist


def playlist_forget(*, youtube_id: str) -> None:
    """A remembered playlist no longer exists on YouTube (deleted by hand)."""
    Playlist.objects.filter(youtube_id=youtube_id).delete()


def playlist_targets(story: Story) -> list[tuple[str, str, str]]:
    """The playlists a story's video goes into: (kind, key, title) per region and topic.

    The "other" region has no playlist; titles are "<campaign> – <region or topic>".
    """
    targets = []
    if story.region is not None and not story.region.is_other:
        targets.append(
            (
                Playlist.Kind.REGION.value,
                story.region.slug,
                f"{settings.CAMPAIGN_NAME} – {story.region.name}",
            )
        )
    if story.topic is not None:
        targets.append(
            (
                Playlist.Kind.TOPIC.value,
                story.topic.slug,
                f"{settings.CAMPAIGN_NAME} – {story.topic.name}",
            )
        )
    return targets
