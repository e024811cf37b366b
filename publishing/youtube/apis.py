"""The publishing API under /api/v1/publishing/: quota, the queue, a publication's metadata.

One view per action; the input serializer validates, one service call, the output serializer
renders. Publishers and campaign admins only (403 otherwise); 409 once the upload started.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services
from .models import Publication


class IsPublisher(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return selectors.user_is_publisher(request.user)


class PublicationSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    story = serializers.IntegerField(source="story_id")
    status = serializers.CharField()
    title = serializers.CharField()
    description = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    video_id = serializers.CharField()
    confirmed_offset = serializers.IntegerField()
    total_bytes = serializers.IntegerField()
    publish_at = serializers.DateTimeField(allow_null=True)
    resume_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    failure_reason = serializers.CharField(source="failure_text")
    thumbnail_set = serializers.BooleanField()
    captions_set = serializers.BooleanField()
    playlists = serializers.ListField(child=serializers.CharField())
    published_at = serializers.DateTimeField(allow_null=True)

    def get_description(self, publication: Publication) -> str:
        return str((publication.metadata.get("snippet") or {}).get("description", ""))

    def get_tags(self, publication: Publication) -> list[str]:
        return list((publication.metadata.get("snippet") or {}).get("tags") or [])


class QuotaApi(APIView):
    permission_classes = [IsPublisher]

    @extend_schema(
        responses=inline_serializer(
            "PublishingQuota",
            {
                "day": serializers.DateField(),
                "model": serializers.CharField(),
                "units_used": serializers.IntegerField(),
                "daily_units": serializers.IntegerField(),
                "uploads_used": serializers.IntegerField(),
                "daily_uploads": serializers.IntegerField(),
                "publications_left": serializers.IntegerField(),
                "resets_at": serializers.DateTimeField(),
            },
        )
    )
    def get(self, request: Request) -> Response:
        usage = selectors.quota_usage()
        return Response(
            {
                "day": usage.day,
                "model": usage.policy.model,
                "units_used": usage.units_used,
                "daily_units": usage.policy.daily_units,
                "uploads_used": usage.uploads_used,
                "daily_uploads": usage.policy.daily_uploads,
                "publications_left": usage.publications_left,
                "resets_at": usage.resets_at,
            }
        )


class QueueApi(APIView):
    permission_classes = [IsPublisher]

    @extend_schema(
        responses=inline_serializer(
            "PublishingQueueItem",
            {"publication": PublicationSerializer(), "expected_on": serializers.DateField()},
            many=True,
        )
    )
    def get(self, request: Request) -> Response:
        rows = selectors.publication_queue()
        return Response(
            [
                {
                    "publication": PublicationSerializer(row.publication).data,
                    "expected_on": row.expected_on,
                }
                for row in rows
            ]
        )


class MetadataInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(allow_blank=True, max_length=20_000)
    tags = serializers.ListField(child=serializers.CharField(max_length=500), max_length=100)


class PublicationDetailApi(APIView):
    permission_classes = [IsPublisher]

    @extend_schema(responses=PublicationSerializer)
    def get(self, request: Request, publication_id: int) -> Response:
        publication = get_object_or_404(Publication, pk=publication_id)
        return Response(PublicationSerializer(publication).data)


class PublicationMetadataApi(APIView):
    permission_classes = [IsPublisher]

    @extend_schema(
        request=MetadataInputSerializer,
        responses=inline_serializer(
            "PublishingMetadataResult",
            {
                "publication": PublicationSerializer(),
                "problems": serializers.ListField(child=serializers.CharField()),
            },
        ),
    )
    def put(self, request: Request, publication_id: int) -> Response:
        publication = get_object_or_404(Publication, pk=publication_id)
        data = MetadataInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated, problems = services.publication_update_metadata(
            publication=publication,
            actor=request.user,
            title=data.validated_data["title"],
            description=data.validated_data["description"],
            tags=data.validated_data["tags"],
        )
        return Response({"publication": PublicationSerializer(updated).data, "problems": problems})
