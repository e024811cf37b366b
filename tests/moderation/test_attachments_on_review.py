"""Moderators see a story's photos and subtitles; nobody else can fetch them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from stories import attachments
from stories.models import Story
from stories.services import story_create_draft
from tests.stories.lifecycle import story_move_to

pytestmark = pytest.mark.django_db


def _story_with_attachments() -> Story:
    story, _token = story_create_draft()
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), "green").save(buffer, "JPEG")
    buffer.seek(0)
    attachments.story_add_photo(story=story, file=buffer, size=buffer.getbuffer().nbytes)
    attachments.story_set_subtitles(
        story=story, raw=b"WEBVTT\n\n00:01.000 --> 00:02.000\nHallo\n", language="de"
    )
    story_move_to(story, "in_review")
    story.refresh_from_db()
    return story


def _moderator() -> User:
    user = User.objects.create_user("mia", password="x-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="moderator"))
    return user


def test_review_page_shows_photos_and_subtitles(client: Client) -> None:
    story = _story_with_attachments()
    client.force_login(_moderator())
    page = client.get(f"/moderation/stories/{story.pk}/").content.decode()
    photo = story.photos.get()
    photo_url = f"/moderation/stories/{story.pk}/attachments/photo/{photo.pk}/"
    assert photo_url in page
    assert "Untertitel in „de“ mit 1 Einblendungen" in page
    response = client.get(photo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    vtt = client.get(f"/moderation/stories/{story.pk}/attachments/subtitles/0/")
    assert b"".join(vtt.streaming_content).startswith(b"WEBVTT")  # type: ignore[attr-defined]
    assert default_storage.exists(photo.storage_key)


def test_attachments_are_not_public(client: Client, settings: Any) -> None:
    story = _story_with_attachments()
    photo = story.photos.get()
    url = f"/moderation/stories/{story.pk}/attachments/photo/{photo.pk}/"
    assert client.get(url).status_code in (302, 403)
    partner = User.objects.create_user("pia", password="x-long-password-2")
    partner.groups.add(Group.objects.get(name="partner"))
    client.force_login(partner)
    assert client.get(url).status_code in (302, 403)
