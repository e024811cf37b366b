"""Protected media: the view decides who may see a file; nginx or S3 may send the bytes."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from stories.models import StoryMedia
from stories.services import story_create_draft
from stories.uploads.models import Upload
from tests.stories.lifecycle import story_move_to
from tests.support import s3

pytestmark = pytest.mark.django_db


def _story_with_poster() -> tuple[int, str]:
    story, _token = story_create_draft()
    key = default_storage.save(f"stories/{story.public_id}/poster.jpg", ContentFile(b"JPEG!"))
    upload = Upload.objects.create(
        owner_key=str(story.public_id),
        length=1,
        offset=1,
        state=Upload.State.COMPLETED,
        storage_key="x",
        expires_at=timezone.now(),
    )
    StoryMedia.objects.create(story=story, upload=upload, state="ready", poster_key=key)
    story_move_to(story, "in_review")
    return story.pk, key


def _staff(client: Client) -> None:
    user = User.objects.create_user("mia", password="x-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="moderator"))
    client.force_login(user)


def test_behind_nginx_the_view_answers_with_x_accel_redirect(client: Client, settings: Any) -> None:
    settings.MEDIA_X_ACCEL_PREFIX = "/protected-media/"
    story_id, key = _story_with_poster()
    url = f"/moderation/stories/{story_id}/media/poster/"
    assert client.get(url).status_code in (302, 403)  # anonymous: no header, no file
    _staff(client)
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{key}"
    assert response.content == b""
    assert response["Cache-Control"] == "private, no-store"


def test_on_s3_the_view_redirects_to_a_short_lived_signed_url(
    client: Client, settings: Any, s3_endpoint: str
) -> None:
    s3.create_bucket(s3_endpoint, "zm-protected")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3.storage_settings(s3_endpoint, "zm-protected"),
    }
    story_id, _key = _story_with_poster()
    _staff(client)
    response = client.get(f"/moderation/stories/{story_id}/media/poster/")
    assert response.status_code == 302
    assert "X-Amz-Signature=" in response["Location"]
    assert "X-Amz-Expires=300" in response["Location"]
    assert requests.get(response["Location"], timeout=10).content == b"JPEG!"
