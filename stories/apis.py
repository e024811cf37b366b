"""The public, read-only part of the API that partner sites build on."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class CampaignApi(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        name = serializers.CharField()
        alliance = serializers.CharField()
        languages = serializers.ListField(
            child=serializers.DictField(child=serializers.CharField())
        )

    @extend_schema(responses=OutputSerializer, summary="Campaign name and supported languages")
    def get(self, request: Request) -> Response:
        data = {
            "name": settings.CAMPAIGN_NAME,
            "alliance": settings.CAMPAIGN_ALLIANCE,
            "languages": [{"code": code, "name": str(name)} for code, name in settings.LANGUAGES],
        }
        return Response(self.OutputSerializer(data).data)


class MeApi(APIView):
    """Who the caller is: lets an integration check that its token works."""

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        roles = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer, summary="The authenticated user and their roles")
    def get(self, request: Request) -> Response:
        user = request.user
        roles = sorted(user.groups.values_list("name", flat=True))
        return Response(
            self.OutputSerializer({"username": user.get_username(), "roles": roles}).data
        )
