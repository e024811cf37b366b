"""Writes of the moderation workspace: claims, edits, notes, decisions, bulk actions.

Every service locks the story row (``select_for_update``), asks ``story_ensure_action``
on the locked row (403 / 409), changes what it must and writes exactly one audit entry in
the same transaction. E-mails to the submitter are enqueued after commit.
"""

from .bulk import BulkResult, stories_assign, stories_reject_as_spam
from .claims import claim_release, claim_renew, claim_take, claim_takeover
from .common import StoryNotFoundError, approvals_needed, moderation_settings_get
from .decisions import (
    CHECKLIST,
    rejection_text,
    story_approve,
    story_publish,
    story_reject,
    story_request_changes,
    story_takedown,
)
from .editing import EDIT_FIELDS, note_add, story_assign, story_edit, story_media_rerun

__all__ = [
    "CHECKLIST",
    "EDIT_FIELDS",
    "BulkResult",
    "StoryNotFoundError",
    "approvals_needed",
    "claim_release",
    "claim_renew",
    "claim_take",
    "claim_takeover",
    "moderation_settings_get",
    "note_add",
    "rejection_text",
    "stories_assign",
    "stories_reject_as_spam",
    "story_approve",
    "story_assign",
    "story_edit",
    "story_media_rerun",
    "story_publish",
    "story_reject",
    "story_request_changes",
    "story_takedown",
]
