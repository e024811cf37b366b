"""Moderation API under /api/v1/moderation/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("stories/", apis.QueueApi.as_view(), name="moderation-queue"),
    path("stories/counts/", apis.CountsApi.as_view(), name="moderation-counts"),
    path("stories/<int:story_id>/", apis.StoryDetailApi.as_view(), name="moderation-story"),
    path(
        "stories/<int:story_id>/audit/", apis.StoryAuditApi.as_view(), name="moderation-story-audit"
    ),
    path("stories/<int:story_id>/claim/", apis.ClaimApi.as_view(), name="moderation-claim"),
    path("stories/<int:story_id>/release/", apis.ReleaseApi.as_view(), name="moderation-release"),
    path(
        "stories/<int:story_id>/takeover/", apis.TakeoverApi.as_view(), name="moderation-takeover"
    ),
    path("stories/<int:story_id>/approve/", apis.ApproveApi.as_view(), name="moderation-approve"),
    path("stories/<int:story_id>/reject/", apis.RejectApi.as_view(), name="moderation-reject"),
    path(
        "stories/<int:story_id>/request-changes/",
        apis.RequestChangesApi.as_view(),
        name="moderation-request-changes",
    ),
    path(
        "stories/<int:story_id>/takedown/", apis.TakedownApi.as_view(), name="moderation-takedown"
    ),
    path("stories/<int:story_id>/publish/", apis.PublishApi.as_view(), name="moderation-publish"),
    path(
        "stories/<int:story_id>/rerun-media/",
        apis.RerunMediaApi.as_view(),
        name="moderation-rerun-media",
    ),
    path("stories/<int:story_id>/notes/", apis.NoteApi.as_view(), name="moderation-note"),
    path("stories/<int:story_id>/assign/", apis.AssignApi.as_view(), name="moderation-assign"),
    path("bulk/reject-spam/", apis.BulkRejectSpamApi.as_view(), name="moderation-bulk-spam"),
    path("bulk/assign/", apis.BulkAssignApi.as_view(), name="moderation-bulk-assign"),
    path("audit/", apis.AuditApi.as_view(), name="moderation-audit"),
    path("reasons/", apis.ReasonsApi.as_view(), name="moderation-reasons"),
]
