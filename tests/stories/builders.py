"""A submitted story as the form leaves it: fields, a finished upload, its video, consents."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps as django_apps
from django.utils import timezone

from stories.models import Region, Story, StoryMedia, Topic
from stories.services import consent_record, story_create_draft
from stories.uploads.models import Upload
from tests.stories.lifecycle import story_move_to

CONSENTS = ("publication", "usage_rights", "special_categories", "people_in_video")


def submitted_story(
    *, status: str = "in_review", media_state: str = StoryMedia.State.READY, **fields: Any
) -> Story:
    """A story with everything filled in, moved to ``status`` along the lifecycle table."""
    importlib.import_module("stories.migrations.0002_seed_regions_topics_consents").seed(
        django_apps, None
    )
    story, _token = story_create_draft()
    Story.objects.filter(pk=story.pk).update(
        **{
            "title": "Mein erster Job",
            "text": "Ich arbeite seit einem Jahr in einer Bäckerei in Verden.",
            "region": Region.objects.get(slug="verden"),
            "topic": Topic.objects.get(slug="wohnen"),
            "submitter_name": "Omid Beispiel",
            "submitter_email": "omid@example.org",
            "submitter_role": "person",
            "credit": "first_name",
            "video_language": "fa",
            "change_request": "Bitte erzählen Sie etwas mehr über Ihre Kolleginnen.",
            **fields,
        }
    )
    upload = Upload.objects.create(
        owner_key=str(story.public_id),
        length=1,
        offset=1,
        state=Upload.State.COMPLETED,
        storage_key="x",
        expires_at=timezone.now(),
    )
    StoryMedia.objects.create(
        story=story, upload=upload, state=media_state, progress_percent=10, eta_seconds=150
    )
    for purpose in CONSENTS:
        consent_record(story=story, purpose=purpose, granted=True, language="de")
    return story_move_to(story, status)
