"""Partner kit API under /api/v1/partners/: the kit's state and files, and a refresh."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import ConflictError, ForbiddenError

from . import selectors, services
from .models import Partner, PartnerKit


def _partner(request: Request) -> Partner:
    partner = selectors.partner_for_user(user=request.user)
    if partner is None:
        raise ForbiddenError("Kein Partnerzugang.")
    return partner


class KitOutput(serializers.ModelSerializer[PartnerKit]):
    files = serializers.SerializerMethodField()

    class Meta:
        model = PartnerKit
        fields = [
            "status",
            "input_hash",
            "generated_hash",
            "finished_at",
            "failure_reason",
            "zip_bytes",
            "files",
        ]

    def get_files(self, kit: PartnerKit) -> list[dict[str, Any]]:
        return selectors.kit_files(kit=kit) if kit.status == PartnerKit.Status.READY else []


class KitApi(APIView):
    @extend_schema(responses=KitOutput, summary="The partner's kit: state and files")
    def get(self, request: Request) -> Response:
        partner = _partner(request)
        kit = selectors.kit_for_partner(partner=partner)
        if kit is None:
            return Response({"status": None, "files": []})
        return Response(KitOutput(kit).data)


class KitRefreshApi(APIView):
    """Bring the kit up to date; renders only if an input changed since the last render."""

    @extend_schema(request=None, responses={202: KitOutput})
    def post(self, request: Request) -> Response:
        partner = _partner(request)
        if partner.status != Partner.Status.APPROVED:
            raise ConflictError("Der Partnerzugang ist noch nicht freigegeben.")
        kit = services.kit_request(partner=partner)
        return Response(KitOutput(kit).data, status=202)
