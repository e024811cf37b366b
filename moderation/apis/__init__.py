"""The moderation API under /api/v1/moderation/: the same rules as the workspace pages.

One view per action: the input serializer validates, one service call decides (403 when
the role lacks the action, 409 when the story's state refuses it), the output serializer
renders the story as the workspace sees it. Session and token authentication.
"""

from .actions import (
    ApproveApi,
    AssignApi,
    ClaimApi,
    NoteApi,
    PublishApi,
    RejectApi,
    ReleaseApi,
    RequestChangesApi,
    RerunMediaApi,
    TakedownApi,
    TakeoverApi,
)
from .base import IsModerationStaff
from .bulk import BulkAssignApi, BulkRejectSpamApi
from .reading import AuditApi, CountsApi, QueueApi, ReasonsApi, StoryAuditApi, StoryDetailApi

__all__ = [
    "ApproveApi",
    "AssignApi",
    "AuditApi",
    "BulkAssignApi",
    "BulkRejectSpamApi",
    "ClaimApi",
    "CountsApi",
    "IsModerationStaff",
    "NoteApi",
    "PublishApi",
    "QueueApi",
    "ReasonsApi",
    "RejectApi",
    "ReleaseApi",
    "RequestChangesApi",
    "RerunMediaApi",
    "StoryAuditApi",
    "StoryDetailApi",
    "TakedownApi",
    "TakeoverApi",
]
