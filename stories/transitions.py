"""A story's lifecycle: the one table of allowed status changes and the one service making them.

draft → awaiting confirmation → in review ⇄ changes requested → approved → published, with the
side exits rejected, withdrawn, taken down and erased (see DESIGN.md). ``TRANSITIONS`` is the
only place that says which status may follow which; ``can_transition`` answers it for callers
(views, permissions, publishing) and ``story_transition`` is the only code that changes
``Story.status`` (besides the initial ``draft`` of a new row): it locks the row, checks the
table, changes it, writes the audit entry and bumps the public-cache version when a published
story appears or disappears.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.cache import public_content_changed
from kernel.errors import ConflictError

from .audit import audit_record
from .models import Story

Actor = AbstractBaseUser | AnonymousUser | None
S = Story.Status

# Every status a story may be in, with the statuses that may follow it.
_UNTIL_PUBLISHED = (S.WITHDRAWN, S.ERASED)
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.AWAITING_CONFIRMATION, *_UNTIL_PUBLISHED}),
    S.AWAITING_CONFIRMATION: frozenset({S.IN_REVIEW, *_UNTIL_PUBLISHED}),
    S.IN_REVIEW: frozenset({S.APPROVED, S.CHANGES_REQUESTED, S.REJECTED, *_UNTIL_PUBLISHED}),
    S.CHANGES_REQUESTED: frozenset({S.IN_REVIEW, S.REJECTED, *_UNTIL_PUBLISHED}),
    S.APPROVED: frozenset({S.PUBLISHED, S.REJECTED, S.TAKEN_DOWN, *_UNTIL_PUBLISHED}),
    S.PUBLISHED: frozenset({S.TAKEN_DOWN, *_UNTIL_PUBLISHED}),
    S.REJECTED: frozenset({S.ERASED}),
    S.WITHDRAWN: frozenset({S.ERASED}),
    S.TAKEN_DOWN: frozenset({S.ERASED}),
    S.ERASED: frozenset(),
}

# Statuses a story never leaves except to be erased: it must not be (or stay) public anywhere.
ENDED: frozenset[str] = frozenset(s for s, targets in TRANSITIONS.items() if targets <= {S.ERASED})


def allowed_from(to: str) -> frozenset[str]:
    """The statuses from which a story may move to ``to``."""
    return frozenset(source for source, targets in TRANSITIONS.items() if to in targets)


def can_transition(story: Story, to: str) -> bool:
    """May ``story`` (as loaded) move to ``to`` now? ``story_transition`` checks it again."""
    return to in TRANSITIONS[story.status]


def story_transition(
    *,
    story_id: int,
    to: str,
    action: str,
    allowed_from: Iterable[str] | None = None,
    actor: Actor = None,
    actor_fallback: str = "submitter",
    comment: str = "",
    changes: dict[str, Any] | None = None,
) -> Story:
    """Move a story to ``to`` if the table allows it from its status; one audit entry.

    ``allowed_from`` only narrows the table (e.g. confirming the e-mail moves a story to review
    from "awaiting confirmation" only, not from "changes requested"). Raises ``ConflictError``
    (409) when the story is in another state meanwhile, e.g. when a second moderator decided
    first.
    """
    if "status" in (changes or {}):
        raise ValueError("the status is story_transition's ``to``, not one of its changes")
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story_id)
        narrowed = allowed_from is None or story.status in set(allowed_from)
        if not narrowed or not can_transition(story, to):
            raise ConflictError(
                _("Diese Aktion ist im Status „%(status)s“ nicht möglich.")
                % {"status": story.get_status_display()},
                extra={"status": story.status},
            )
        before = {"status": story.status}
        story.status = to
        story.status_changed_at = timezone.now()
        for name, value in (changes or {}).items():
            setattr(story, name, value)
        story.save()
        audit_record(
            action=action,
            story=story,
            actor=actor,
            actor_fallback=actor_fallback,
            comment=comment,
            before=before,
            after={"status": to},
        )
        if S.PUBLISHED in (before["status"], to):
            transaction.on_commit(public_content_changed)
    return story
