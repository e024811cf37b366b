"""The moderation API under /api/v1/moderation/: the same rules as the workspace pages.

One view per action: the input serializer validates, one service call decides (403 when
the role lacks the action, 409 when the story's state refuses it), the output serializer
renders the story as the workspace sees it. Session and token authentication.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import ForbiddenError
from stories.models import AuditEntry, Story

from . import selectors, services
from .permissions import story_get_actions, user_is_staff_member, user_may
from .selectors import QUEUE_STATUSES, QueueFilters
from .services import CHECKLIST


def _page_of(serializer: type[serializers.Serializer], name: str) -> Any:
    """The schema of a LimitOffsetPagination page: the list comes inside ``results``."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )


class IsModerationStaff(BasePermission):
    """Moderators, publishers and campaign admins; everyone else gets 403."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return user_is_staff_member(request.user)


class _StaffApi(APIView):
    permission_classes = [IsModerationStaff]


# --- Output -------------------------------------------------------------------------------
class QueueItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    status = serializers.CharField()
    region = serializers.CharField(source="region.name", default=None, allow_null=True)
    topic = serializers.CharField(source="topic.name", default=None, allow_null=True)
    language = serializers.CharField()
    video_language = serializers.CharField()
    has_minor = serializers.BooleanField()
    guardian_confirmed = serializers.SerializerMethodField()
    revised = serializers.BooleanField()
    waiting_since = serializers.DateTimeField(source="status_changed_at")
    claimed_by = serializers.SerializerMethodField()
    assignee = serializers.CharField(source="assignee_name", default=None, allow_null=True)
    approvals = serializers.IntegerField(source="live_approvals")
    media_state = serializers.SerializerMethodField()

    def get_guardian_confirmed(self, story: Story) -> bool:
        return story.guardian_confirmed_at is not None

    def get_claimed_by(self, story: Any) -> str | None:
        return story.claim_holder_name if story.claim_active else None

    def get_media_state(self, story: Any) -> str | None:
        media = next(iter(story.current_media), None)
        return media.state if media else None


class AuditEntrySerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_label")
    action = serializers.CharField()
    story_id = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    before = serializers.DictField()
    after = serializers.DictField()


class StoryDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    region_id = serializers.IntegerField(allow_null=True)
    topic_id = serializers.IntegerField(allow_null=True)
    language = serializers.CharField()
    video_language = serializers.CharField()
    credit = serializers.CharField()
    credit_line = serializers.CharField()
    has_minor = serializers.BooleanField()
    guardian_confirmed_at = serializers.DateTimeField(allow_null=True)
    revised = serializers.BooleanField()
    decision_reason = serializers.CharField()
    change_request = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    status_changed_at = serializers.DateTimeField()
    actions = serializers.SerializerMethodField()
    claim = serializers.SerializerMethodField()
    media = serializers.SerializerMethodField()
    consents = serializers.SerializerMethodField()
    youtube = serializers.SerializerMethodField()
    approvals = serializers.SerializerMethodField()
    notes = serializers.SerializerMethodField()

    def _user(self) -> Any:
        return self.context["request"].user

    def get_actions(self, story: Story) -> list[str]:
        return sorted(story_get_actions(story, self._user()))

    def get_claim(self, story: Story) -> dict[str, Any] | None:
        claim = selectors.story_claim(story=story)
        if claim is None:
            return None
        return {"holder": claim.holder.get_username(), "expires_at": claim.expires_at}

    def get_media(self, story: Story) -> dict[str, Any] | None:
        media = story.media.filter(is_current=True).first()
        if media is None:
            return None
        request = self.context["request"]
        base = f"/moderation/stories/{story.pk}/media/"
        return {
            "state": media.state,
            "progress_percent": media.progress_percent,
            "failure_message": media.failure_message,
            "preview_url": request.build_absolute_uri(base + "preview/")
            if media.preview_key
            else None,
            "poster_url": request.build_absolute_uri(base + "poster/")
            if media.poster_key
            else None,
        }

    def get_consents(self, story: Story) -> list[dict[str, Any]]:
        return [
            {
                "purpose": c.purpose,
                "subject": c.subject,
                "version": c.text_version,
                "language": c.text_language,
                "granted": c.granted,
                "at": c.created_at,
            }
            for c in story.consents.all()
        ]

    def get_youtube(self, story: Story) -> dict[str, Any]:
        return selectors.story_youtube_meta(story=story)

    def get_approvals(self, story: Story) -> list[str]:
        return [a.moderator.get_username() for a in story.live_approvals_list]  # type: ignore[attr-defined]

    def get_notes(self, story: Story) -> list[dict[str, Any]]:
        return [
            {"author": n.author.get_username(), "text": n.text, "at": n.created_at}
            for n in story.internal_notes.all()
        ]


def _detail(request: Request, story_id: int, status: int = 200) -> Response:
    story = selectors.story_for_review(story_id=story_id)
    if story is None:
        raise Http404
    data = StoryDetailSerializer(story, context={"request": request}).data
    return Response(data, status=status)


# --- Queue and detail ---------------------------------------------------------------------
class QueueFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["", *(s.value for s in QUEUE_STATUSES)], required=False, default="in_review"
    )
    region = serializers.IntegerField(required=False, allow_null=True, default=None)
    topic = serializers.IntegerField(required=False, allow_null=True, default=None)
    language = serializers.CharField(required=False, default="", allow_blank=True)
    has_minor = serializers.BooleanField(required=False, allow_null=True, default=None)
    guardian_pending = serializers.BooleanField(required=False, default=False)
    waiting_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, default=None
    )
    mine = serializers.ChoiceField(choices=["", "assigned", "claimed"], required=False, default="")
    revised = serializers.BooleanField(required=False, allow_null=True, default=None)
    q = serializers.CharField(required=False, default="", allow_blank=True, max_length=100)
    order = serializers.ChoiceField(choices=["oldest", "newest"], required=False, default="oldest")


class QueueApi(_StaffApi):
    class Pagination(LimitOffsetPagination):
        default_limit = 50
        max_limit = 200

    @extend_schema(
        operation_id="moderation_queue",
        parameters=[QueueFilterSerializer],
        responses=_page_of(QueueItemSerializer, "QueuePage"),
        summary="The moderation queue, oldest waiting first",
    )
    def get(self, request: Request) -> Response:
        filters = QueueFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.story_queue(
            filters=QueueFilters(**filters.validated_data), user=request.user
        )
        paginator = self.Pagination()
        ids = paginator.paginate_queryset(queryset.values_list("pk", flat=True), request, view=self)
        rows = selectors.story_queue_rows(ids=list(ids or []))
        return paginator.get_paginated_response(QueueItemSerializer(rows, many=True).data)


class CountsApi(_StaffApi):
    @extend_schema(
        operation_id="moderation_counts",
        responses=inline_serializer(
            "StatusCounts", {s.value: serializers.IntegerField() for s in QUEUE_STATUSES}
        ),
        summary="How many stories are in each status",
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.story_status_counts())


class StoryDetailApi(_StaffApi):
    class EditSerializer(serializers.Serializer):
        title = serializers.CharField(required=False, max_length=120)
        text = serializers.CharField(required=False, max_length=5000)
        region_id = serializers.IntegerField(required=False)
        topic_id = serializers.IntegerField(required=False)
        youtube_title = serializers.CharField(required=False, allow_blank=True, max_length=100)
        youtube_description = serializers.CharField(
            required=False, allow_blank=True, max_length=5000
        )
        youtube_tags = serializers.ListField(
            child=serializers.CharField(max_length=100), required=False
        )

    @extend_schema(operation_id="moderation_story", responses=StoryDetailSerializer)
    def get(self, request: Request, story_id: int) -> Response:
        return _detail(request, story_id)

    @extend_schema(
        operation_id="moderation_story_edit",
        request=EditSerializer,
        responses=StoryDetailSerializer,
        summary="Edit title, text, region, topic and the YouTube metadata (audited diff)",
    )
    def patch(self, request: Request, story_id: int) -> Response:
        if not user_may(request.user, "edit"):
            raise ForbiddenError("Ihre Rolle erlaubt diese Aktion nicht.")
        serializer = self.EditSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.story_edit(story_id=story_id, actor=request.user, data=serializer.validated_data)
        return _detail(request, story_id)


class StoryAuditApi(_StaffApi):
    @extend_schema(operation_id="moderation_story_audit", responses=AuditEntrySerializer(many=True))
    def get(self, request: Request, story_id: int) -> Response:
        entries = AuditEntry.objects.filter(story_id=story_id).order_by("created_at", "id")
        return Response(AuditEntrySerializer(entries, many=True).data)


# --- Actions: one view each ---------------------------------------------------------------
EXPECTED_STATUS_HELP = (
    "The status the client saw when deciding; if the story moved on meanwhile the "
    "action is refused with 409 instead of being applied to a state nobody saw."
)


class _DecisionInput(serializers.Serializer):
    expected_status = serializers.ChoiceField(
        choices=Story.Status.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text=EXPECTED_STATUS_HELP,
    )


class _ActionApi(_StaffApi):
    action_name: ClassVar[str]

    class InputSerializer(serializers.Serializer):
        pass

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def post(self, request: Request, story_id: int) -> Response:
        if not user_may(request.user, self.action_name):
            raise ForbiddenError(
                "Ihre Rolle erlaubt diese Aktion nicht.", extra={"action": self.action_name}
            )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform(story_id, request.user, dict(serializer.validated_data))
        return _detail(request, story_id)


def _action_schema(name: str, summary: str, request: Any = None) -> Any:
    return extend_schema(
        operation_id=f"moderation_story_{name}",
        request=request,
        responses={200: StoryDetailSerializer},
        summary=summary,
    )


class ClaimApi(_ActionApi):
    action_name = "claim"

    @_action_schema("claim", "Hold the story (renews when held already)")
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.claim_take(story_id=story_id, actor=user)


class ReleaseApi(_ActionApi):
    action_name = "release"

    @_action_schema("release", "Let go of a held story")
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.claim_release(story_id=story_id, actor=user)


class TakeoverApi(_ActionApi):
    action_name = "takeover"

    @_action_schema("takeover", "A publisher takes over a story another moderator holds")
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.claim_takeover(story_id=story_id, actor=user)


class ApproveApi(_ActionApi):
    action_name = "approve"

    class InputSerializer(_DecisionInput):
        checklist = serializers.ListField(
            child=serializers.ChoiceField(choices=list(CHECKLIST)),
            help_text="Every item of the checklist, ticked.",
        )
        comment = serializers.CharField(required=False, default="", allow_blank=True)

    @_action_schema("approve", "Approve (four-eyes: the first approval waits)", InputSerializer)
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_approve(story_id=story_id, actor=user, **data)


class RejectApi(_ActionApi):
    action_name = "reject"

    class InputSerializer(_DecisionInput):
        reason = serializers.CharField(required=False, default="", allow_blank=True)
        free_text = serializers.CharField(
            required=False, default="", allow_blank=True, max_length=4000
        )

    @_action_schema("reject", "Reject with a reason template and/or free text", InputSerializer)
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_reject(
            story_id=story_id,
            actor=user,
            reason_code=data["reason"],
            free_text=data["free_text"],
            expected_status=data["expected_status"],
        )


class RequestChangesApi(_ActionApi):
    action_name = "request_changes"

    class InputSerializer(_DecisionInput):
        message = serializers.CharField(max_length=4000)

    @_action_schema("request_changes", "Ask the submitter for changes", InputSerializer)
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_request_changes(story_id=story_id, actor=user, **data)


class TakedownApi(_ActionApi):
    action_name = "takedown"

    class InputSerializer(_DecisionInput):
        reason = serializers.CharField(max_length=2000)

    @_action_schema("takedown", "Take an approved or published story down", InputSerializer)
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_takedown(story_id=story_id, actor=user, **data)


class PublishApi(_ActionApi):
    action_name = "publish"

    class InputSerializer(_DecisionInput):
        publish_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    @_action_schema(
        "publish", "Publish an approved story to YouTube (now or later)", InputSerializer
    )
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_publish(story_id=story_id, actor=user, **data)


class RerunMediaApi(_ActionApi):
    action_name = "rerun_media"

    @_action_schema("rerun_media", "Run the video processing again")
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_media_rerun(story_id=story_id, actor=user)


class NoteApi(_ActionApi):
    action_name = "note"

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=4000)

    @_action_schema("note", "Add an internal note (never shown to the submitter)", InputSerializer)
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.note_add(story_id=story_id, actor=user, text=data["text"])


class AssignApi(_ActionApi):
    action_name = "assign"

    class InputSerializer(serializers.Serializer):
        assignee = serializers.IntegerField(allow_null=True)

    @_action_schema("assign", "Assign the story to a moderator (null: nobody)", InputSerializer)
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_assign(story_id=story_id, actor=user, assignee_id=data["assignee"])


# --- Bulk ---------------------------------------------------------------------------------
BulkResultSerializer = inline_serializer(
    "BulkResult",
    {
        "done": serializers.ListField(child=serializers.IntegerField()),
        "refused": serializers.DictField(child=serializers.CharField()),
    },
)


class BulkRejectSpamApi(_StaffApi):
    class InputSerializer(serializers.Serializer):
        stories = serializers.ListField(
            child=serializers.IntegerField(), min_length=1, max_length=200
        )

    @extend_schema(
        operation_id="moderation_bulk_reject_spam",
        request=InputSerializer,
        responses=BulkResultSerializer,
        summary="Reject many stories as spam; each is checked and audited on its own",
    )
    def post(self, request: Request) -> Response:
        if not user_may(request.user, "reject"):
            raise ForbiddenError("Ihre Rolle erlaubt diese Aktion nicht.")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.stories_reject_as_spam(
            story_ids=serializer.validated_data["stories"], actor=request.user
        )
        return Response({"done": result.done, "refused": result.refused})


class BulkAssignApi(_StaffApi):
    class InputSerializer(serializers.Serializer):
        stories = serializers.ListField(
            child=serializers.IntegerField(), min_length=1, max_length=200
        )
        assignee = serializers.IntegerField(allow_null=True)

    @extend_schema(
        operation_id="moderation_bulk_assign",
        request=InputSerializer,
        responses=BulkResultSerializer,
        summary="Assign many stories to a moderator",
    )
    def post(self, request: Request) -> Response:
        if not user_may(request.user, "assign"):
            raise ForbiddenError("Ihre Rolle erlaubt diese Aktion nicht.")
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.stories_assign(
            story_ids=serializer.validated_data["stories"],
            actor=request.user,
            assignee_id=serializer.validated_data["assignee"],
        )
        return Response({"done": result.done, "refused": result.refused})


# --- Audit log and reasons ----------------------------------------------------------------
class AuditApi(_StaffApi):
    class FilterSerializer(serializers.Serializer):
        actor = serializers.CharField(required=False, default="", allow_blank=True)
        action = serializers.CharField(required=False, default="", allow_blank=True)
        date_from = serializers.DateField(required=False, allow_null=True, default=None)
        date_to = serializers.DateField(required=False, allow_null=True, default=None)
        story = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(
        operation_id="moderation_audit",
        parameters=[FilterSerializer],
        responses=_page_of(AuditEntrySerializer, "AuditPage"),
        summary="The global audit log, newest first",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.audit_log(filters=selectors.AuditFilters(**filters.validated_data))
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(AuditEntrySerializer(page, many=True).data)


class ReasonsApi(_StaffApi):
    @extend_schema(
        operation_id="moderation_rejection_reasons",
        parameters=[OpenApiParameter("language", str, required=False)],
        responses=inline_serializer(
            "RejectionReason",
            {
                "code": serializers.CharField(),
                "label": serializers.CharField(),
                "text": serializers.CharField(),
            },
            many=True,
        ),
    )
    def get(self, request: Request) -> Response:
        language = request.query_params.get("language", "de")
        return Response(
            [
                {"code": r.code, "label": r.label, "text": r.text_for(language)}
                for r in selectors.rejection_reasons()
            ]
        )
