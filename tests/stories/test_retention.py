"""Retention jobs remove exactly what is due, and say what they removed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from publishing.gallery.models import AccessibilityFeedback
from stories.models import Story, StoryMedia
from stories.retention import retention_originals, retention_rejected, retention_unconfirmed_drafts
from tests.gallery.conftest import make_story
from workers.tasks.retention import run_retention

pytestmark = pytest.mark.django_db

S = Story.Status
DAY = timedelta(days=1)


def _aged(story: Story, **ages: timedelta) -> Story:
    now = timezone.now()
    Story.objects.filter(pk=story.pk).update(**{name: now - age for name, age in ages.items()})
    story.refresh_from_db()
    return story


def _original(story: Story) -> str:
    return StoryMedia.objects.get(story=story).upload.storage_key


def test_unconfirmed_drafts_after_seven_days(settings: Any) -> None:
    settings.RETENTION_UNCONFIRMED_DAYS = 7
    old_draft = _aged(make_story(status=S.DRAFT), updated_at=8 * DAY)
    fresh_draft = _aged(make_story(status=S.DRAFT), updated_at=6 * DAY)
    old_unconfirmed = _aged(
        make_story(status=S.AWAITING_CONFIRMATION), status_changed_at=8 * DAY, updated_at=8 * DAY
    )
    fresh_unconfirmed = _aged(make_story(status=S.AWAITING_CONFIRMATION), status_changed_at=2 * DAY)
    old_in_review = _aged(make_story(status=S.IN_REVIEW), status_changed_at=60 * DAY)
    original = _original(old_draft)

    report = retention_unconfirmed_drafts()

    assert sorted(report.story_ids) == sorted([old_draft.pk, old_unconfirmed.pk])
    assert report.as_dict()["count"] == 2
    statuses = dict(Story.objects.values_list("pk", "status"))
    assert statuses[old_draft.pk] == statuses[old_unconfirmed.pk] == S.ERASED
    assert statuses[fresh_draft.pk] == S.DRAFT
    assert statuses[fresh_unconfirmed.pk] == S.AWAITING_CONFIRMATION
    assert statuses[old_in_review.pk] == S.IN_REVIEW
    assert not default_storage.exists(original)
    assert Story.objects.get(pk=old_draft.pk).submitter_email == ""
    assert retention_unconfirmed_drafts().story_ids == []  # nothing due twice


def test_rejected_stories_after_thirty_days(settings: Any) -> None:
    settings.RETENTION_REJECTED_DAYS = 30
    old = _aged(make_story(status=S.REJECTED), status_changed_at=31 * DAY)
    recent = _aged(make_story(status=S.REJECTED), status_changed_at=29 * DAY)
    withdrawn = _aged(make_story(status=S.WITHDRAWN), status_changed_at=90 * DAY)

    report = retention_rejected()

    assert report.story_ids == [old.pk]
    assert report.files_deleted == 4
    statuses = dict(Story.objects.values_list("pk", "status"))
    assert statuses[old.pk] == S.ERASED
    assert statuses[recent.pk] == S.REJECTED
    assert statuses[withdrawn.pk] == S.WITHDRAWN


def test_originals_go_after_a_verified_transcode_of_a_published_story(settings: Any) -> None:
    settings.RETENTION_DELETE_ORIGINAL_AFTER_TRANSCODE = False
    published = make_story()
    approved = make_story(status=S.APPROVED)
    broken = make_story()
    broken_media = StoryMedia.objects.get(story=broken)
    default_storage.delete(broken_media.preview_key)  # the transcode is not complete

    report = retention_originals()

    assert report.media_ids == [StoryMedia.objects.get(story=published).pk]
    assert report.skipped == [broken_media.pk]
    assert report.bytes_freed == len(b"original video bytes")
    assert not default_storage.exists(_original(published))
    assert StoryMedia.objects.get(story=published).original_deleted_at is not None
    assert default_storage.exists(_original(approved))
    assert default_storage.exists(_original(broken))
    assert default_storage.exists(StoryMedia.objects.get(story=published).master_key)
    assert published.audit_entries.filter(action="stories.retention.original_deleted").exists()
    assert retention_originals().media_ids == []

    settings.RETENTION_DELETE_ORIGINAL_AFTER_TRANSCODE = True
    report = retention_originals()
    assert report.media_ids == [StoryMedia.objects.get(story=approved).pk]
    assert not default_storage.exists(_original(approved))


def test_the_periodic_task_runs_every_job_and_reports(settings: Any) -> None:
    settings.GALLERY_FEEDBACK_RETENTION_DAYS = 365
    _aged(make_story(status=S.REJECTED), status_changed_at=40 * DAY)
    make_story()
    old = AccessibilityFeedback.objects.create(message="alt")
    AccessibilityFeedback.objects.filter(pk=old.pk).update(created_at=timezone.now() - 400 * DAY)
    AccessibilityFeedback.objects.create(message="neu")

    result = run_retention()

    assert result["rejected"]["count"] == 1
    assert result["unconfirmed_drafts"]["count"] == 0
    assert result["originals"]["count"] == 1
    assert result["accessibility_feedback"] == {"count": 1}
    assert list(AccessibilityFeedback.objects.values_list("message", flat=True)) == ["neu"]


def test_the_jobs_are_scheduled() -> None:
    from config.celery_app import _beat_schedule, app

    schedule = _beat_schedule()
    tasks = {entry["task"] for entry in schedule.values()}
    assert {
        "workers.tasks.maintenance.expire_uploads",
        "workers.tasks.retention.run_retention",
        "workers.tasks.retention.withdrawal_followup",
    } <= tasks
    assert "workers.tasks.retention" in app.conf.imports
