"""The status page's timeline: each step's state follows the story's status."""

from __future__ import annotations

import pytest

from stories.models import Story
from stories.services import story_create_draft
from stories.timeline import story_timeline
from tests.stories.lifecycle import story_move_to

pytestmark = pytest.mark.django_db


def _states(story: Story) -> dict[str, str]:
    return {step.key: step.state for step in story_timeline(story=story, media=None).steps}


def test_one_step_is_current_and_everything_before_it_is_done() -> None:
    story, _token = story_create_draft()
    assert _states(story)["received"] == "current"
    story = story_move_to(story, Story.Status.AWAITING_CONFIRMATION)
    assert _states(story)["received"] == "done"
    assert _states(story)["confirmed"] == "current"
    story = story_move_to(story, Story.Status.IN_REVIEW)
    states = _states(story)
    assert states["confirmed"] == "done" and states["review"] == "current"
    assert [k for k, v in states.items() if v == "current"] == ["review"]


def test_a_rejected_story_says_where_it_stopped_and_why() -> None:
    story, _token = story_create_draft()
    story = story_move_to(story, Story.Status.IN_REVIEW)
    Story.objects.filter(pk=story.pk).update(decision_reason="Kein Bezug zur Kampagne.")
    story = story_move_to(Story.objects.get(pk=story.pk), Story.Status.REJECTED)
    stopped = story_timeline(story=story, media=None).stopped
    assert stopped is not None and stopped.detail == "Kein Bezug zur Kampagne."
