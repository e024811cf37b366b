"""A moderator asks for changes; the submitter answers through the status link."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from stories.links import status_token
from stories.models import AuditEntry, Story
from stories.services import story_transition
from tests.stories.builders import submitted_story

pytestmark = pytest.mark.django_db


def _story_with_change_request() -> Story:
    story = submitted_story()
    return story_transition(
        story_id=story.pk,
        allowed_from=["in_review"],
        to="changes_requested",
        action="moderation.story.request_changes",
    )


def test_submitter_edits_and_sends_the_story_back(client: Client) -> None:
    story = _story_with_change_request()
    status_url = f"/status/{status_token(public_id=str(story.public_id))}/"
    page = client.get(status_url).content.decode()
    assert "Bitte erzählen Sie etwas mehr über Ihre Kolleginnen." in page
    assert "Geschichte bearbeiten" in page

    response = client.post(status_url, {"action": "edit"})
    assert response.status_code == 302 and response["Location"] == "/mitmachen/"
    form = client.get("/mitmachen/").content.decode()
    assert 'value="Mein erster Job"' in form
    new_text = story.text + " Meine Kolleginnen haben mir beim Deutschlernen geholfen."
    response = client.post(
        "/mitmachen/",
        {
            "title": "Mein erster Job",
            "text": new_text,
            "region_id": str(story.region_id),
            "topic_id": str(story.topic_id),
        },
    )
    assert response.status_code == 302
    response = client.post("/mitmachen/pruefen/", {"go": "send"})
    assert response.status_code == 302 and response["Location"] == status_url
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW and story.revised
    assert story.text == new_text
    page = client.get(status_url).content.decode()
    assert "Ihre Änderungen sind angekommen" in page
    actions = list(AuditEntry.objects.filter(story=story).values_list("action", flat=True))
    assert actions[-3:] == [
        "stories.story.edit_access",
        "stories.story.edit_draft",
        "stories.story.resubmit",
    ]


def test_edit_is_refused_once_the_story_went_back(client: Client, settings: Any) -> None:
    story = _story_with_change_request()
    story_transition(
        story_id=story.pk, allowed_from=["changes_requested"], to="in_review", action="t"
    )
    status_url = f"/status/{status_token(public_id=str(story.public_id))}/"
    assert "Geschichte bearbeiten" not in client.get(status_url).content.decode()
    response = client.post(status_url, {"action": "edit"})
    assert response.status_code == 302 and response["Location"] == status_url
