"""Writes for stories, one module per seam; import them from here.

Every change of a story's status goes through ``story_transition`` (``stories.transitions``):
it locks the row, checks the lifecycle table, changes it and writes the audit entry in one
transaction.
"""

from ..media_lifecycle import (
    media_complete,
    media_enqueue,
    media_fail,
    media_find_stuck,
    media_original_deleted,
    media_original_stripped,
    media_progress,
    media_rerun,
    media_start,
)
from ..transitions import story_transition
from .changes import story_grant_edit_access, story_status_links_renew, story_withdraw
from .consents import REQUIRED_CONSENTS, ConsentTextsChanged, consent_record
from .drafts import (
    DRAFT_FIELDS,
    EDITABLE,
    TEXT_MAX,
    TEXT_MIN,
    TITLE_MAX,
    story_create_draft,
    story_update_draft,
)
from .guardian import guardian_decide, guardian_find_unsent
from .submission import confirmation_find_unsent, story_confirm_email, story_submit
from .video import on_upload_complete, story_attach_video, upload_in_use, upload_owner_for_token

__all__ = [
    "DRAFT_FIELDS",
    "EDITABLE",
    "REQUIRED_CONSENTS",
    "TEXT_MAX",
    "TEXT_MIN",
    "TITLE_MAX",
    "ConsentTextsChanged",
    "confirmation_find_unsent",
    "consent_record",
    "guardian_decide",
    "guardian_find_unsent",
    "media_complete",
    "media_enqueue",
    "media_fail",
    "media_find_stuck",
    "media_original_deleted",
    "media_original_stripped",
    "media_progress",
    "media_rerun",
    "media_start",
    "on_upload_complete",
    "story_attach_video",
    "story_confirm_email",
    "story_create_draft",
    "story_grant_edit_access",
    "story_status_links_renew",
    "story_submit",
    "story_transition",
    "story_update_draft",
    "story_withdraw",
    "upload_in_use",
    "upload_owner_for_token",
]
