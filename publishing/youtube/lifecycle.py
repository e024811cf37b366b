"""The publication lifecycle: one table of allowed transitions and the one service that moves.

``publication_transition`` is the only code that assigns ``Publication.status`` (and
``publication_open`` the only one that creates a row with its first status). It locks the row,
checks the table, applies the changes, writes the audit entry in the same transaction and,
when what the public sees changes (a publication becomes or stops being published), bumps the
public cache version after commit.

    queued ──▶ uploading ──▶ processing ──▶ published
      │  ▲         │  ▲          │
      ▼  └─paused──┘  └─resume───┤          any state but the two takedown ones
    waiting for quota ◀──────────┘            ──▶ takedown requested ──▶ taken down
    queued, waiting, uploading, processing ──▶ failed ──▶ queued (asked again)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.cache import public_content_changed
from kernel.errors import ConflictError
from stories.audit import audit_record
from stories.models import Story
from stories.transitions import ENDED

from .models import Publication

Actor = AbstractBaseUser | AnonymousUser | None
P = Publication.Status
S = Story.Status

# A publication may still be (re)started by the publish task in these states.
ACTIVE = (P.QUEUED, P.WAITING_FOR_QUOTA, P.UPLOADING, P.PROCESSING)
# Before any byte went to YouTube the publisher may still change the metadata.
EDITABLE = (P.QUEUED, P.WAITING_FOR_QUOTA, P.FAILED)
# A story in these states must not be (or stay) on YouTube.
GONE_STORY = tuple(sorted(ENDED))  # the story lifecycle table decides which
TAKEDOWN = (P.TAKEDOWN_REQUESTED, P.TAKEN_DOWN)

# from-status -> the statuses it may move to. A status that may move to itself lets a worker
# resume (a new claim, a new resume time) with an audit entry.
TRANSITIONS: dict[str, frozenset[str]] = {
    P.QUEUED: frozenset(
        {P.UPLOADING, P.PROCESSING, P.WAITING_FOR_QUOTA, P.FAILED, P.TAKEDOWN_REQUESTED}
    ),
    P.WAITING_FOR_QUOTA: frozenset(
        {P.UPLOADING, P.PROCESSING, P.WAITING_FOR_QUOTA, P.FAILED, P.TAKEDOWN_REQUESTED}
    ),
    P.UPLOADING: frozenset(
        {
            P.UPLOADING,
            P.PROCESSING,
            P.QUEUED,
            P.WAITING_FOR_QUOTA,
            P.FAILED,
            P.TAKEDOWN_REQUESTED,
        }
    ),
    P.PROCESSING: frozenset(
        {P.PROCESSING, P.PUBLISHED, P.WAITING_FOR_QUOTA, P.FAILED, P.TAKEDOWN_REQUESTED}
    ),
    P.PUBLISHED: frozenset({P.TAKEDOWN_REQUESTED}),
    P.FAILED: frozenset({P.QUEUED, P.TAKEDOWN_REQUESTED}),
    P.TAKEDOWN_REQUESTED: frozenset({P.TAKEN_DOWN}),
    P.TAKEN_DOWN: frozenset(),
}
INITIAL = P.QUEUED


def allowed_from(to: str) -> list[str]:
    """The statuses the table lets move to ``to``."""
    return [status for status, targets in TRANSITIONS.items() if to in targets]


def can_move(current: str, to: str) -> bool:
    return to in TRANSITIONS.get(current, frozenset())


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    keep = ("video_id", "resume_at", "failure_reason", "publish_at", "attempts")
    return {
        key: value.isoformat() if isinstance(value, dt.datetime) else value
        for key, value in changes.items()
        if key in keep
    }


def publication_transition(
    *,
    publication_id: int,
    to: str,
    action: str,
    actor: Actor = None,
    comment: str = "",
    changes: dict[str, Any] | None = None,
    only_from: Iterable[str] | None = None,
    audit_after: dict[str, Any] | None = None,
) -> Publication:
    """Move a publication to ``to`` if the table allows it from its current status.

    ``only_from`` narrows the table for a caller that means one particular step. Writes one
    audit entry (``action``) and bumps the public cache version when the publication becomes
    or stops being published. Raises ConflictError (409) when the row is in another state.
    """
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update().select_related("story").get(pk=publication_id)
        )
        before = publication.status
        permitted = can_move(before, to) and (only_from is None or before in set(only_from))
        if not permitted:
            raise ConflictError(
                _("Diese Aktion ist im Status „%(status)s“ nicht möglich.")
                % {"status": publication.get_status_display()},
                extra={"status": before},
            )
        publication.status = to
        for name, value in (changes or {}).items():
            setattr(publication, name, value)
        publication.save()
        audit_record(
            action=action,
            story=publication.story,
            actor=actor,
            comment=comment,
            before={"status": before},
            after={"status": to, **_jsonable(changes or {}), **(audit_after or {})},
        )
        if P.PUBLISHED in (before, to):
            transaction.on_commit(public_content_changed)
    return publication


def publication_open(
    *, story: Story, actor: Actor, audit_after: dict[str, Any], **fields: Any
) -> Publication:
    """Create the story's publication in the initial status, with its audit entry."""
    requested_by = actor if actor is not None and actor.is_authenticated else None
    publication = Publication.objects.create(
        story=story,
        status=INITIAL,
        requested_by=requested_by,  # type: ignore[misc]
        **fields,
    )
    audit_record(
        action=f"publishing.publication.{INITIAL}",
        story=story,
        actor=actor,
        after={"status": INITIAL, **audit_after},
    )
    return publication
