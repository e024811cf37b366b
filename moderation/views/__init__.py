"""The workspace pages at /moderation/: queue, review page, actions, media, audit log, 2FA.

One module per page family; the URLconf names them through these re-exports.
"""

from .access import staff_required
from .audit import audit, audit_export
from .media import attachment, media
from .progress import media_progress
from .queue import bulk, queue
from .review import claim_ping, story_action, story_detail
from .second_factor import enrol, two_factor
from .tokens import token_revoke, tokens

__all__ = [
    "attachment",
    "audit",
    "audit_export",
    "bulk",
    "claim_ping",
    "enrol",
    "media",
    "media_progress",
    "queue",
    "staff_required",
    "story_action",
    "story_detail",
    "token_revoke",
    "tokens",
    "two_factor",
]
