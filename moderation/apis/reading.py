"""Reading endpoints: queue, counts, one story, its audit, the log and the reasons."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

from kernel.errors import ForbiddenError
from stories.models import AuditEntry

from .. import selectors, services
from ..permissions import user_may
from ..selectors import QUEUE_STATUSES, QueueFilters
from .base import StaffApi, page_of
from .output import (
    AuditEntrySerializer,
    QueueItemSerializer,
    StoryDetailSerializer,
    detail_response,
)


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


class QueueApi(StaffApi):
    class Pagination(LimitOffsetPagination):
        default_limit = 50
        max_limit = 200

    @extend_schema(
        operation_id="moderation_queue",
        parameters=[QueueFilterSerializer],
        responses=page_of(QueueItemSerializer, "QueuePage"),
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


class CountsApi(StaffApi):
    @extend_schema(
        operation_id="moderation_counts",
        responses=inline_serializer(
            "StatusCounts", {s.value: serializers.IntegerField() for s in QUEUE_STATUSES}
        ),
        summary="How many stories are in each status",
    )
    def get(self, request: Request) -> Response:
        return Response(selectors.story_status_counts())


class StoryDetailApi(StaffApi):
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
        return detail_response(request, story_id)

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
        return detail_response(request, story_id)


class StoryAuditApi(StaffApi):
    @extend_schema(operation_id="moderation_story_audit", responses=AuditEntrySerializer(many=True))
    def get(self, request: Request, story_id: int) -> Response:
        entries = AuditEntry.objects.filter(story_id=story_id).order_by("created_at", "id")
        return Response(AuditEntrySerializer(entries, many=True).data)


class AuditApi(StaffApi):
    class FilterSerializer(serializers.Serializer):
        actor = serializers.CharField(required=False, default="", allow_blank=True)
        action = serializers.CharField(required=False, default="", allow_blank=True)
        date_from = serializers.DateField(required=False, allow_null=True, default=None)
        date_to = serializers.DateField(required=False, allow_null=True, default=None)
        story = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(
        operation_id="moderation_audit",
        parameters=[FilterSerializer],
        responses=page_of(AuditEntrySerializer, "AuditPage"),
        summary="The global audit log, newest first",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.audit_log(filters=selectors.AuditFilters(**filters.validated_data))
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(AuditEntrySerializer(page, many=True).data)


class ReasonsApi(StaffApi):
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
