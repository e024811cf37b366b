"""Two moderators decide the same story at the same moment: exactly one decision wins.

Real threads with their own database connections and committed transactions. On
PostgreSQL the story row lock (``select_for_update``) makes the second wait and then see
the first decision; SQLite serialises writers, which gives the same outcome.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connections

from kernel.errors import ConflictError
from moderation import services
from moderation.models import Approval
from stories.models import AuditEntry, Story

from .factories import StoryFactory, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("seeded"),
]


# Both moderators decide on the page they see: a story in review.
def _approve(story_id: int, user: User) -> Any:
    return services.story_approve(
        story_id=story_id, actor=user, checklist=services.CHECKLIST, expected_status="in_review"
    )


def _reject(story_id: int, user: User) -> Any:
    return services.story_reject(
        story_id=story_id, actor=user, reason_code="off-topic", expected_status="in_review"
    )


def _race(calls: list[Callable[[], Any]]) -> list[str]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "ok"
        except ConflictError as exc:
            outcomes[index] = f"conflict: {exc.message}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize(
    ("first", "second", "possible"),
    [
        (_approve, _approve, {Story.Status.APPROVED}),
        (_approve, _reject, {Story.Status.APPROVED, Story.Status.REJECTED}),
        (_reject, _reject, {Story.Status.REJECTED}),
    ],
    ids=["approve-approve", "approve-reject", "reject-reject"],
)
def test_exactly_one_decision_wins(first: Any, second: Any, possible: set[str]) -> None:
    mia, max_ = make_user("moderator", "mia"), make_user("moderator", "max")
    story = StoryFactory()
    outcomes = _race([lambda: first(story.pk, mia), lambda: second(story.pk, max_)])

    assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "ok"], outcomes
    loser = next(o for o in outcomes if o.startswith("conflict"))
    story.refresh_from_db()
    # a clear message naming the state the winner left
    assert "inzwischen geändert" in loser and story.get_status_display() in loser
    story.refresh_from_db()
    assert story.status in possible
    decisions = AuditEntry.objects.filter(
        story=story, action__in=["moderation.story.approve", "moderation.story.reject"]
    )
    assert decisions.count() == 1
    assert Approval.objects.filter(story=story, superseded=False).count() <= 1


def test_four_eyes_two_moderators_approving_at_once_approve_it(four_eyes_tx: None) -> None:
    mia, max_ = make_user("moderator", "mia"), make_user("moderator", "max")
    story = StoryFactory()
    outcomes = _race([lambda: _approve(story.pk, mia), lambda: _approve(story.pk, max_)])
    assert outcomes == ["ok", "ok"]
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED
    assert Approval.objects.filter(story=story).count() == 2


@pytest.fixture
def four_eyes_tx() -> None:
    settings = services.moderation_settings_get()
    settings.four_eyes = True
    settings.save()
