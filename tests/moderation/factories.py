"""Data for the moderation tests: staff per role and stories waiting in review."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from stories.models import ConsentText, Region, Story, StoryMedia, Topic
from stories.uploads.models import Upload


def make_user(role: str | None, username: str | None = None) -> User:
    """A user in the group named ``role`` (None: no group); staff roles get is_staff."""
    username = username or f"{role or 'nobody'}-{secrets.token_hex(3)}"
    user = User.objects.create_user(
        username=username,
        password="pw-for-tests",
        email=f"{username}@example.org",
        is_staff=role in ("moderator", "publisher", "campaign_admin"),
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    access_token_hash = factory.LazyFunction(lambda: secrets.token_hex(32))
    status = Story.Status.IN_REVIEW
    title = factory.Sequence(lambda n: f"Vom Praktikum zur Meisterin {n}")
    text = "Amina kam 2016 nach Celle. Heute leitet sie eine Werkstatt und bildet selbst aus."
    region = factory.LazyFunction(lambda: Region.objects.get(slug="celle"))
    topic = factory.LazyFunction(lambda: Topic.objects.get(slug="arbeit-und-ausbildung"))
    video_language = "de"
    language = "de"
    submitter_name = "Amina Beispiel"
    submitter_email = factory.Sequence(lambda n: f"amina{n}@example.org")
    submitter_role = Story.SubmitterRole.PERSON
    credit = Story.Credit.FIRST_NAME
    submitted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    status_changed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=20))


def attach_media(story: Story, *, state: str = StoryMedia.State.READY, **keys: Any) -> StoryMedia:
    """A processed video as the media pipeline leaves it (its own tests cover the bytes)."""
    upload = Upload.objects.create(
        owner_key=str(story.public_id),
        length=10,
        offset=10,
        state=Upload.State.COMPLETED,
        storage_key=f"uploads/{story.public_id}/original",
        sniffed_type="video/mp4",
        expires_at=timezone.now() + timedelta(hours=24),
    )
    story.video_upload = upload
    story.save(update_fields=["video_upload"])
    return StoryMedia.objects.create(story=story, upload=upload, state=state, **keys)


def grant_consents(story: Story) -> None:
    from stories.services import REQUIRED_CONSENTS, consent_record

    for purpose in REQUIRED_CONSENTS:
        consent_record(story=story, purpose=purpose, granted=True, language=story.language)


assert ConsentText  # the seeded texts come with the stories migrations
