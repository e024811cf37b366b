"""Metadata YouTube would refuse is fixed before the upload, and the publisher is told so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kernel.errors import ConflictError
from publishing.youtube import services
from publishing.youtube.models import Publication
from stories.models import Story
from tests.publishing.youtube.conftest import Standin

from .conftest import PublishWorker, wait_for_status

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_long_title_angle_brackets_and_long_description_are_fixed_before_upload(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    story_factory: Callable[..., Story],
    publisher_user: Any,
) -> None:
    story = story_factory()
    # Paused while the publisher edits: the stand-in refuses uploads today.
    youtube_standin.faults(quota_exhausted=True)
    publication = services.publication_request(story=story, actor=publisher_user)
    publication = wait_for_status(story, Publication.Status.WAITING_FOR_QUOTA, publish_worker)

    title = "Vom Sprachkurs zur Meisterin <Celle> " + "und weiter " * 11  # about 150 characters
    assert len(title) > 140
    description = ("Eine lange Geschichte über Ausbildung und Ankommen. " * 120)[:6000]
    assert len(description.encode()) >= 6000
    updated, problems = services.publication_update_metadata(
        publication=publication,
        actor=publisher_user,
        title=title,
        description=description + " <3",
        tags=["Integration", "Pflege <Celle>"],
    )
    text = " ".join(problems)
    assert "YouTube allows 100" in text
    assert "contains < or >" in text
    assert "5000 bytes" in text
    snippet = updated.metadata["snippet"]
    assert len(snippet["title"]) <= 100 and "<" not in snippet["title"]
    assert len(snippet["description"].encode()) <= 5000 and "<" not in snippet["description"]

    youtube_standin.reset_quota()
    Publication.objects.filter(pk=publication.pk).update(resume_at=None)
    services.publication_enqueue(publication.pk)
    published = wait_for_status(story, Publication.Status.PUBLISHED, publish_worker)
    video = youtube_standin.state()["videos"][published.video_id]
    assert video["title"] == snippet["title"]

    with pytest.raises(ConflictError):
        services.publication_update_metadata(
            publication=published, actor=publisher_user, title="Neu", description="", tags=[]
        )
