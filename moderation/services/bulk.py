"""Bulk actions: each story is its own decision with its own audit entry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kernel.errors import ApplicationError

from ..models import RejectionReason
from .decisions import story_reject
from .editing import story_assign


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def stories_reject_as_spam(*, story_ids: Iterable[int], actor: Any) -> BulkResult:
    """Reject each story with the spam template; each one is its own decision and entry."""
    reason = RejectionReason.objects.filter(is_spam=True, is_active=True).first()
    result = BulkResult()
    for story_id in dict.fromkeys(story_ids):
        try:
            story_reject(
                story_id=story_id,
                actor=actor,
                reason_code=reason.code if reason else "",
                free_text="" if reason else "Spam",
            )
        except ApplicationError as exc:
            result.refused[story_id] = exc.message
        else:
            result.done.append(story_id)
    return result


def stories_assign(*, story_ids: Iterable[int], actor: Any, assignee_id: int | None) -> BulkResult:
    """Assign many stories; each one is checked and audited on its own."""
    result = BulkResult()
    for story_id in dict.fromkeys(story_ids):
        try:
            story_assign(story_id=story_id, actor=actor, assignee_id=assignee_id)
        except ApplicationError as exc:
            result.refused[story_id] = exc.message
        else:
            result.done.append(story_id)
    return result
