"""The story lifecycle has one table; ``story_transition`` refuses anything it does not list."""

from __future__ import annotations

import pytest

from kernel.errors import ConflictError
from moderation.permissions import ALLOWED_FROM
from stories.models import AuditEntry, Story
from stories.services import story_create_draft, story_withdraw
from stories.transitions import ENDED, TRANSITIONS, allowed_from, can_transition, story_transition
from tests.stories.lifecycle import lifecycle_path, story_move_to

pytestmark = pytest.mark.django_db
S = Story.Status


def test_the_table_names_every_status_and_only_statuses() -> None:
    assert set(TRANSITIONS) == set(S.values)
    assert all(targets <= set(S.values) for targets in TRANSITIONS.values())
    assert lifecycle_path(S.DRAFT, S.PUBLISHED) == [
        S.AWAITING_CONFIRMATION,
        S.IN_REVIEW,
        S.APPROVED,
        S.PUBLISHED,
    ]
    assert {S.REJECTED, S.WITHDRAWN, S.TAKEN_DOWN, S.ERASED} == ENDED
    assert allowed_from(S.ERASED) == set(S.values) - {S.ERASED}


def test_a_jump_the_table_does_not_list_is_refused_and_leaves_no_trace() -> None:
    story, _token = story_create_draft()
    entries = AuditEntry.objects.filter(story=story).count()
    with pytest.raises(ConflictError):
        story_transition(story_id=story.pk, to=S.APPROVED, action="test.jump")
    with pytest.raises(ConflictError):  # even when the caller claims it is allowed
        story_transition(
            story_id=story.pk, allowed_from=[S.DRAFT], to=S.PUBLISHED, action="test.jump"
        )
    story.refresh_from_db()
    assert story.status == S.DRAFT
    assert AuditEntry.objects.filter(story=story).count() == entries


def test_allowed_from_only_narrows_the_table() -> None:
    story, _token = story_create_draft()
    story_move_to(story, S.CHANGES_REQUESTED)
    with pytest.raises(ConflictError):
        story_transition(
            story_id=story.pk,
            allowed_from=[S.AWAITING_CONFIRMATION],
            to=S.IN_REVIEW,
            action="stories.story.confirm_email",
        )
    moved = story_transition(story_id=story.pk, to=S.IN_REVIEW, action="stories.story.resubmit")
    assert moved.status == S.IN_REVIEW
    entry = AuditEntry.objects.filter(story=story).latest("pk")
    assert (entry.before, entry.after) == ({"status": S.CHANGES_REQUESTED}, {"status": S.IN_REVIEW})


def test_an_ended_story_can_only_be_erased() -> None:
    story, _token = story_create_draft()
    story_withdraw(story=story)
    story.refresh_from_db()
    assert not can_transition(story, S.IN_REVIEW)
    with pytest.raises(ConflictError):
        story_withdraw(story=story)
    assert can_transition(story, S.ERASED)


def test_the_workspace_decisions_ask_the_table() -> None:
    for action, to in (
        ("approve", S.APPROVED),
        ("reject", S.REJECTED),
        ("request_changes", S.CHANGES_REQUESTED),
        ("publish", S.PUBLISHED),
        ("takedown", S.TAKEN_DOWN),
    ):
        assert set(ALLOWED_FROM[action]) == allowed_from(to), action
