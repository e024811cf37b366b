"""One view per action on a story: validate, one service call, render the story."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.errors import ForbiddenError
from stories.models import Story

from .. import services
from ..permissions import user_may
from ..services import CHECKLIST
from .base import StaffApi
from .output import StoryDetailSerializer, detail_response

EXPECTED_STATUS_HELP = (
    "The status the client saw when deciding; if the story moved on meanwhile the "
    "action is refused with 409 instead of being applied to a state nobody saw."
)


class DecisionInput(serializers.Serializer):
    expected_status = serializers.ChoiceField(
        choices=Story.Status.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text=EXPECTED_STATUS_HELP,
    )


class ActionApi(StaffApi):
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
        return detail_response(request, story_id)


def action_schema(name: str, summary: str, request: Any = None) -> Any:
    return extend_schema(
        operation_id=f"moderation_story_{name}",
        request=request,
        responses={200: StoryDetailSerializer},
        summary=summary,
    )


class ClaimApi(ActionApi):
    action_name = "claim"

    @action_schema("claim", "Hold the story (renews when held already)")
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.claim_take(story_id=story_id, actor=user)


class ReleaseApi(ActionApi):
    action_name = "release"

    @action_schema("release", "Let go of a held story")
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.claim_release(story_id=story_id, actor=user)


class TakeoverApi(ActionApi):
    action_name = "takeover"

    @action_schema("takeover", "A publisher takes over a story another moderator holds")
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.claim_takeover(story_id=story_id, actor=user)


class ApproveApi(ActionApi):
    action_name = "approve"

    class InputSerializer(DecisionInput):
        checklist = serializers.ListField(
            child=serializers.ChoiceField(choices=list(CHECKLIST)),
            help_text="Every item of the checklist, ticked.",
        )
        comment = serializers.CharField(required=False, default="", allow_blank=True)

    @action_schema("approve", "Approve (four-eyes: the first approval waits)", InputSerializer)
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_approve(story_id=story_id, actor=user, **data)


class RejectApi(ActionApi):
    action_name = "reject"

    class InputSerializer(DecisionInput):
        reason = serializers.CharField(required=False, default="", allow_blank=True)
        free_text = serializers.CharField(
            required=False, default="", allow_blank=True, max_length=4000
        )

    @action_schema("reject", "Reject with a reason template and/or free text", InputSerializer)
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


class RequestChangesApi(ActionApi):
    action_name = "request_changes"

    class InputSerializer(DecisionInput):
        message = serializers.CharField(max_length=4000)

    @action_schema("request_changes", "Ask the submitter for changes", InputSerializer)
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_request_changes(story_id=story_id, actor=user, **data)


class TakedownApi(ActionApi):
    action_name = "takedown"

    class InputSerializer(DecisionInput):
        reason = serializers.CharField(max_length=2000)

    @action_schema("takedown", "Take an approved or published story down", InputSerializer)
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_takedown(story_id=story_id, actor=user, **data)


class PublishApi(ActionApi):
    action_name = "publish"

    class InputSerializer(DecisionInput):
        publish_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    @action_schema(
        "publish", "Publish an approved story to YouTube (now or later)", InputSerializer
    )
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_publish(story_id=story_id, actor=user, **data)


class RerunMediaApi(ActionApi):
    action_name = "rerun_media"

    @action_schema("rerun_media", "Run the video processing again")
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_media_rerun(story_id=story_id, actor=user)


class NoteApi(ActionApi):
    action_name = "note"

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=4000)

    @action_schema("note", "Add an internal note (never shown to the submitter)", InputSerializer)
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.note_add(story_id=story_id, actor=user, text=data["text"])


class AssignApi(ActionApi):
    action_name = "assign"

    class InputSerializer(serializers.Serializer):
        assignee = serializers.IntegerField(allow_null=True)

    @action_schema("assign", "Assign the story to a moderator (null: nobody)", InputSerializer)
    def post(self, request: Request, story_id: int) -> Response:
        return super().post(request, story_id)

    def perform(self, story_id: int, user: Any, data: dict[str, Any]) -> Any:
        return services.story_assign(story_id=story_id, actor=user, assignee_id=data["assignee"])
