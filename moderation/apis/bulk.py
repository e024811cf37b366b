"""Bulk actions on many stories; each story is decided and audited on its own."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.errors import ForbiddenError

from .. import services
from ..permissions import user_may
from .base import StaffApi

BulkResultSerializer = inline_serializer(
    "BulkResult",
    {
        "done": serializers.ListField(child=serializers.IntegerField()),
        "refused": serializers.DictField(child=serializers.CharField()),
    },
)


class BulkRejectSpamApi(StaffApi):
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


class BulkAssignApi(StaffApi):
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
