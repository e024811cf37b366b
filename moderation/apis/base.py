"""What every moderation API shares: the staff permission and the paginated schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from ..permissions import user_is_staff_member


def page_of(serializer: type[serializers.Serializer], name: str) -> Any:
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


class StaffApi(APIView):
    permission_classes = [IsModerationStaff]
