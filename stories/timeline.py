"""The story's way from received to published, as the submitter sees it on the status page.

Read-only: built from the story's own fields, its current media job and its audit entries
(each status change is one entry with ``after.status``; publishing writes the video's address
into the comment of ``publishing.story.published``), so no layer above ``stories`` is needed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from .models import AuditEntry, Story, StoryMedia

S = Story.Status
REPLY_ACTION = "stories.story.reply"
PUBLISHED_ACTION = "publishing.story.published"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    state: str  # "done", "current", "waiting" or "problem"
    at: datetime | None = None
    detail: str = ""


@dataclass(frozen=True)
class Timeline:
    steps: list[Step]
    stopped: Step | None = None
    video_url: str = ""
    replies: list[AuditEntry] = field(default_factory=list)


def story_timeline(*, story: Story, media: StoryMedia | None) -> Timeline:
    entries = list(
        AuditEntry.objects.filter(story=story).only("action", "after", "comment", "created_at")
    )
    reached: dict[str, datetime] = {}
    for entry in entries:
        status = entry.after.get("status") if isinstance(entry.after, dict) else None
        if isinstance(status, str):
            reached.setdefault(status, entry.created_at)
    after_review = {S.APPROVED, S.PUBLISHED}
    unsent = story.status == S.DRAFT
    unconfirmed = story.status in (S.DRAFT, S.AWAITING_CONFIRMATION)
    steps = [
        Step(
            "received",
            _("Eingegangen"),
            "current" if unsent else "done",
            story.submitted_at,
        ),
        Step(
            "confirmed",
            _("Adresse bestätigt"),
            "waiting" if unsent else ("current" if unconfirmed else "done"),
            story.email_confirmed_at,
        ),
        _video_step(media),
        Step(
            "review",
            _("In Prüfung"),
            "current"
            if story.status in (S.IN_REVIEW, S.CHANGES_REQUESTED)
            else ("done" if story.status in after_review else "waiting"),
            reached.get(S.IN_REVIEW),
            _("Wir haben eine Frage oder Bitte an Sie.")
            if story.status == S.CHANGES_REQUESTED
            else "",
        ),
        Step(
            "approved",
            _("Freigegeben"),
            "done" if story.status in after_review else "waiting",
            reached.get(S.APPROVED),
        ),
        Step(
            "published",
            _("Veröffentlicht"),
            "done" if story.status == S.PUBLISHED else "waiting",
            reached.get(S.PUBLISHED),
        ),
    ]
    video_url = ""
    if story.status == S.PUBLISHED:
        published = [e for e in entries if e.action == PUBLISHED_ACTION and e.comment]
        if published and published[-1].comment.startswith("https://"):
            video_url = published[-1].comment
    return Timeline(
        steps=steps,
        stopped=_stopped(story, reached),
        video_url=video_url,
        replies=[e for e in entries if e.action == REPLY_ACTION],
    )


def _video_step(media: StoryMedia | None) -> Step:
    label = _("Video verarbeitet")
    if media is None:
        return Step("video", label, "waiting")
    if media.state == StoryMedia.State.READY:
        return Step("video", label, "done", media.finished_at)
    if media.state == StoryMedia.State.FAILED:
        return Step("video", label, "problem", media.finished_at, media.failure_message)
    return Step("video", label, "current")


def _stopped(story: Story, reached: dict[str, datetime]) -> Step | None:
    words = {
        S.REJECTED: _("Nicht veröffentlicht"),
        S.WITHDRAWN: _("Einwilligung widerrufen"),
        S.TAKEN_DOWN: _("Entfernt"),
    }
    if story.status not in words:
        return None
    detail = story.decision_reason if story.status == S.REJECTED else ""
    return Step("stopped", words[S(story.status)], "problem", reached.get(story.status), detail)
