"""A decision that needs YouTube reaches the publishing services, or fails loudly.

Moderation imports ``publishing.youtube.services`` directly: if that module moved or a
service were renamed, these tests (and the import itself) fail instead of takedowns and
publish requests silently doing nothing.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from moderation import services
from publishing.youtube.models import Publication
from stories.models import AuditEntry, Story

pytestmark = pytest.mark.django_db
S = Story.Status
P = Publication.Status


def test_publish_request_queues_a_publication(story: Story, publisher: User) -> None:
    Story.objects.filter(pk=story.pk).update(status=S.APPROVED)
    services.story_publish(story_id=story.pk, actor=publisher)
    publication = Publication.objects.get(story=story)
    assert publication.status == P.QUEUED
    assert publication.requested_by == publisher


def test_takedown_asks_publishing_to_remove_the_video(story: Story, publisher: User) -> None:
    Story.objects.filter(pk=story.pk).update(status=S.PUBLISHED)
    publication = Publication.objects.create(story=story, status=P.PUBLISHED, video_id="vid123")
    services.story_takedown(story_id=story.pk, actor=publisher, reason="Person bedroht")
    publication.refresh_from_db()
    assert publication.status == P.TAKEDOWN_REQUESTED
    assert publication.takedown_reason == "Person bedroht"


def test_takedown_without_a_video_records_that_nothing_was_published(
    story: Story, publisher: User
) -> None:
    Story.objects.filter(pk=story.pk).update(status=S.APPROVED)
    services.story_takedown(story_id=story.pk, actor=publisher, reason="Grund")
    assert AuditEntry.objects.filter(
        story=story, action="publishing.publication.takedown_nothing"
    ).exists()
