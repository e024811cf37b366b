"""The media job's lifecycle: one table, one guarded transition, and no reset of a running job."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest
from django.utils import timezone

from kernel.errors import ConflictError
from stories.media_lifecycle import MEDIA_TRANSITIONS, media_transition
from stories.models import AuditEntry, Story, StoryMedia
from stories.services import media_rerun
from tests.moderation.factories import StoryFactory, attach_media

pytestmark = pytest.mark.django_db
M = StoryMedia.State


def _media(state: str, *, started_ago_s: float = 5) -> StoryMedia:
    media = attach_media(cast(Story, StoryFactory()))
    StoryMedia.objects.filter(pk=media.pk).update(
        state=state,
        started_at=timezone.now() - timedelta(seconds=started_ago_s),
        progress_percent=40,
    )
    return media


@pytest.mark.parametrize("state", [M.PROBING, M.TRANSCODING])
def test_a_rerun_cannot_reset_a_job_that_is_still_running(
    state: str, django_capture_on_commit_callbacks: Any
) -> None:
    media = _media(state)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ConflictError):
        media_rerun(media_id=media.pk, actor=None)
    media.refresh_from_db()
    assert media.state == state and media.progress_percent == 40
    assert callbacks == []
    assert not AuditEntry.objects.filter(action="stories.media.rerun").exists()


def test_a_lost_job_can_be_run_again(settings: Any) -> None:
    media = _media(M.TRANSCODING, started_ago_s=settings.CELERY_LONGEST_HARD_LIMIT + 60)
    media_rerun(media_id=media.pk, actor=None)
    media.refresh_from_db()
    assert media.state == M.WAITING


@pytest.mark.parametrize("state", [M.READY, M.FAILED, M.WAITING])
def test_a_finished_or_waiting_job_can_be_run_again(state: str) -> None:
    media = _media(state)
    media_rerun(media_id=media.pk, actor=None)
    media.refresh_from_db()
    assert media.state == M.WAITING
    entry = AuditEntry.objects.get(action="stories.media.rerun")
    assert entry.before["state"] == state and entry.after["state"] == M.WAITING


@pytest.mark.parametrize("action", sorted(MEDIA_TRANSITIONS))
def test_every_action_is_refused_from_a_state_the_table_does_not_allow(action: str) -> None:
    allowed, _target = MEDIA_TRANSITIONS[action]
    for state in set(M.values) - set(allowed):
        if action == "rerun":
            continue  # covered above (a lost running job may be rerun)
        media = _media(state)
        with pytest.raises(ConflictError):
            media_transition(media_id=media.pk, action=action)
        media.refresh_from_db()
        assert media.state == state


def test_every_transition_writes_its_audit_entry() -> None:
    media = _media(M.WAITING)
    for action in ("start", "transcode", "ready"):
        media_transition(media_id=media.pk, action=action)
    actions = list(
        AuditEntry.objects.filter(story=media.story)
        .filter(action__startswith="stories.media.")
        .exclude(action="stories.media.attach")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == ["stories.media.start", "stories.media.transcode", "stories.media.ready"]
