"""HTTP endpoints of the tus server and the JSON status of an upload.

The tus views subclass ``APIView`` only so drf-spectacular documents them; ``dispatch``
bypasses DRF entirely (no parsers touch the body stream, no content negotiation, no DRF
authentication). The credential is the draft's upload token in the ``Upload-Token``
header, on every request: creation proves the draft with it, and HEAD, PATCH, DELETE and
the status answer 404 to anyone who does not present the token the upload was created with
(not 403: a stranger learns nothing, not even that the upload exists). A header, not a
cookie: browsers never send it on their own, so there is no cross-site request to forge,
and browsers and API clients use the same mechanism. HEAD never echoes Upload-Metadata.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services, tus
from .models import Upload
from .selectors import upload_get_owned, upload_is_expired, upload_status


def _error_response(exc: tus.TusError, *, head: bool) -> HttpResponse:
    body = {"message": exc.message, "extra": exc.extra}
    response: HttpResponse
    if head:
        response = HttpResponse(status=exc.status_code, reason=exc.reason)
    else:
        response = JsonResponse(body, status=exc.status_code, reason=exc.reason)
    for name, value in exc.headers.items():
        response[name] = value
    if "offset" in exc.extra:
        response["Upload-Offset"] = str(exc.extra["offset"])
    if isinstance(exc, tus.VersionUnsupported):
        response["Tus-Version"] = tus.TUS_VERSION
    if isinstance(exc, tus.TooLarge):
        response["Tus-Max-Size"] = str(settings.UPLOAD_MAX_BYTES)
    return response


def _expires_header(upload: Upload) -> dict[str, str]:
    if upload.state != Upload.State.RECEIVING:
        return {}
    return {"Upload-Expires": http_date(upload.expires_at.timestamp())}


def _options_response() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Tus-Version"] = tus.TUS_VERSION
    response["Tus-Extension"] = ",".join(tus.TUS_EXTENSIONS)
    response["Tus-Max-Size"] = str(settings.UPLOAD_MAX_BYTES)
    response["Tus-Checksum-Algorithm"] = ",".join(tus.CHECKSUM_ALGORITHMS)
    return response


TUS_RESUMABLE = OpenApiParameter(
    "Tus-Resumable", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, enum=["1.0.0"]
)
UPLOAD_TOKEN = OpenApiParameter(
    tus.TOKEN_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "The draft's upload token: `upload_token` from `POST /api/v1/stories/`; "
        "the submission form hands it to its own script."
    ),
)
TUS_ERRORS = {
    404: OpenApiResponse(description="Unknown or terminated upload, or not this token's"),
    410: OpenApiResponse(description="The upload expired"),
    412: OpenApiResponse(description="Missing or unsupported Tus-Resumable"),
}


class _TusView(APIView):
    """Routes by method like Django's View, with the protocol's version check and errors."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    schema_include_head = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.args, self.kwargs = args, kwargs
        method = (request.method or "").lower()
        override = request.headers.get("X-HTTP-Method-Override")
        if method == "post" and override:
            method = override.lower()  # for clients behind proxies that drop PATCH/DELETE
        handler: Callable[..., HttpResponse] | None = (
            getattr(self, method, None) if method in self.http_method_names else None
        )
        if handler is None:
            response: HttpResponse = JsonResponse(
                {"message": "Method not allowed.", "extra": {"code": "method_not_allowed"}},
                status=405,
            )
            response["Allow"] = ", ".join(m.upper() for m in self.http_method_names)
            return response
        if method == "options":
            return _options_response()
        try:
            if request.headers.get("Tus-Resumable") != tus.TUS_VERSION:
                raise tus.VersionUnsupported("This server speaks tus 1.0.0 (Tus-Resumable: 1.0.0).")
            response = handler(request, *args, **kwargs)
        except tus.TusError as exc:
            response = _error_response(exc, head=method == "head")
        response["Tus-Resumable"] = tus.TUS_VERSION
        response["Cache-Control"] = "no-store"
        return response

    def options(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]
        return _options_response()


class TusUploadsApi(_TusView):
    """``/api/v1/uploads/``: create an upload (tus creation extension)."""

    http_method_names: ClassVar[list[str]] = ["post", "options"]  # type: ignore[misc]

    @extend_schema(
        operation_id="uploads_create",
        summary="Create a resumable upload (tus 1.0 creation)",
        description=(
            "The `Upload-Token` header names and proves the draft the video belongs to; "
            "the same token must accompany every later request about the upload. "
            "Upload-Metadata `filename`, `filetype` and `lang` (de, en, ar, fa, uk, tr) are "
            "optional and never sent back. Rate-limited per client address."
        ),
        request=None,
        parameters=[
            TUS_RESUMABLE,
            UPLOAD_TOKEN,
            OpenApiParameter(
                "Upload-Length", OpenApiTypes.INT, OpenApiParameter.HEADER, required=True
            ),
            OpenApiParameter("Upload-Metadata", OpenApiTypes.STR, OpenApiParameter.HEADER),
            OpenApiParameter("Location", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[201]),
            OpenApiParameter(
                "Upload-Expires", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[201]
            ),
        ],
        responses={
            201: OpenApiResponse(description="Created; Location is the upload's URL"),
            400: OpenApiResponse(description="Missing Upload-Length, bad metadata"),
            403: OpenApiResponse(description="Missing or unknown upload token, or a closed draft"),
            412: TUS_ERRORS[412],
            413: OpenApiResponse(description="Upload-Length over the limit (Tus-Max-Size)"),
            429: OpenApiResponse(description="Too many uploads started; see Retry-After"),
        },
        tags=["uploads"],
    )
    def post(self, request: HttpRequest) -> HttpResponse:
        if "Upload-Defer-Length" in request.headers:
            raise tus.BadRequest("Upload-Defer-Length is not supported; send Upload-Length.")
        length = tus.parse_uint(request.headers.get("Upload-Length"), header="Upload-Length")
        metadata = tus.parse_metadata(request.headers.get("Upload-Metadata"))
        upload = services.upload_create(
            length=length,
            metadata=metadata,
            token=request.headers.get(tus.TOKEN_HEADER),
            client_ip=request.META.get("REMOTE_ADDR", ""),
        )
        response = HttpResponse(status=201)
        response["Location"] = reverse("api:uploads:detail", kwargs={"upload_id": upload.id})
        for name, value in _expires_header(upload).items():
            response[name] = value
        return response


class TusUploadApi(_TusView):
    """``/api/v1/uploads/<uuid>``: offset, append, terminate (tus core and termination)."""

    http_method_names: ClassVar[list[str]] = ["head", "patch", "delete", "options"]  # type: ignore[misc]
    schema_include_head = True

    @extend_schema(
        operation_id="uploads_offset",
        summary="Current offset of an upload (tus HEAD)",
        description=(
            "A rejected upload carries `Upload-Rejected: <code>`. Upload-Metadata is never "
            "sent back."
        ),
        parameters=[
            TUS_RESUMABLE,
            UPLOAD_TOKEN,
            OpenApiParameter(
                "Upload-Offset", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[200]
            ),
            OpenApiParameter(
                "Upload-Length", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[200]
            ),
            OpenApiParameter(
                "Upload-Rejected", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200]
            ),
        ],
        responses={200: OpenApiResponse(description="Offset and length in headers"), **TUS_ERRORS},
        tags=["uploads"],
    )
    def head(self, request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
        upload = upload_get_owned(upload_id=upload_id, token=request.headers.get(tus.TOKEN_HEADER))
        if upload is None or upload.state == Upload.State.TERMINATED:
            raise tus.UploadNotFound("There is no such upload.")
        if upload_is_expired(upload=upload):
            raise tus.UploadGone("The upload has expired.")
        response = HttpResponse(status=200)
        response["Upload-Offset"] = str(upload.offset)
        response["Upload-Length"] = str(upload.length)
        if upload.state == Upload.State.REJECTED:
            response["Upload-Rejected"] = upload.rejection_reason
        for name, value in _expires_header(upload).items():
            response[name] = value
        return response

    @extend_schema(
        operation_id="uploads_append",
        summary="Append bytes at the current offset (tus PATCH)",
        request={tus.OFFSET_CONTENT_TYPE: OpenApiTypes.BINARY},
        parameters=[
            TUS_RESUMABLE,
            UPLOAD_TOKEN,
            OpenApiParameter(
                "Upload-Offset", OpenApiTypes.INT, OpenApiParameter.HEADER, required=True
            ),
            OpenApiParameter("Upload-Checksum", OpenApiTypes.STR, OpenApiParameter.HEADER),
            OpenApiParameter(
                "Upload-Offset", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[204]
            ),
            OpenApiParameter(
                "Upload-Expires", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[204]
            ),
        ],
        responses={
            204: OpenApiResponse(description="Bytes stored; Upload-Offset is the new offset"),
            400: OpenApiResponse(description="Bad Upload-Offset or Upload-Checksum"),
            409: OpenApiResponse(description="Upload-Offset differs from the server's"),
            413: OpenApiResponse(description="More bytes than the upload declared"),
            415: OpenApiResponse(description="Content-Type is not application/offset+octet-stream"),
            423: OpenApiResponse(description="Another request is writing to this upload"),
            460: OpenApiResponse(description="Checksum mismatch; the chunk was discarded"),
            507: OpenApiResponse(description="Server disk full; resume later"),
            **TUS_ERRORS,
        },
        tags=["uploads"],
    )
    def patch(self, request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
        if request.content_type != tus.OFFSET_CONTENT_TYPE:
            raise tus.WrongContentType(f"PATCH needs Content-Type: {tus.OFFSET_CONTENT_TYPE}.")
        offset = tus.parse_uint(request.headers.get("Upload-Offset"), header="Upload-Offset")
        raw_length = request.META.get("CONTENT_LENGTH")
        if not raw_length:
            raise tus.LengthRequired("PATCH needs a Content-Length.")
        content_length = tus.parse_uint(raw_length, header="Content-Length")
        checksum = tus.parse_checksum(request.headers.get("Upload-Checksum"))
        upload = services.upload_append(
            upload_id=upload_id,
            token=request.headers.get(tus.TOKEN_HEADER),
            offset=offset,
            content_length=content_length,
            stream=request,  # type: ignore[arg-type]  # HttpRequest.read bounds by Content-Length
            checksum=checksum,
        )
        response = HttpResponse(status=204)
        response["Upload-Offset"] = str(upload.offset)
        for name, value in _expires_header(upload).items():
            response[name] = value
        if upload.state == Upload.State.REJECTED:
            response["Upload-Rejected"] = upload.rejection_reason
        return response

    @extend_schema(
        operation_id="uploads_terminate",
        summary="Cancel an upload and delete its bytes (tus termination)",
        parameters=[TUS_RESUMABLE, UPLOAD_TOKEN],
        responses={204: OpenApiResponse(description="Terminated"), **TUS_ERRORS},
        tags=["uploads"],
    )
    def delete(self, request: HttpRequest, upload_id: uuid.UUID) -> HttpResponse:
        services.upload_terminate(upload_id=upload_id, token=request.headers.get(tus.TOKEN_HEADER))
        return HttpResponse(status=204)


class RejectionSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class UploadStatusApi(APIView):
    """``/api/v1/uploads/<uuid>/status``: what became of the bytes (not part of tus)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    class OutputSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=Upload.State.choices)
        offset = serializers.IntegerField()
        length = serializers.IntegerField()
        rejection = RejectionSerializer(allow_null=True)

    @extend_schema(
        operation_id="uploads_status",
        summary="State of an upload and, if rejected, why (in the submitter's language)",
        parameters=[UPLOAD_TOKEN],
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(description="Unknown upload, or not this token's"),
        },
        tags=["uploads"],
    )
    def get(self, request: Request, upload_id: uuid.UUID) -> Response:
        upload = upload_get_owned(upload_id=upload_id, token=request.headers.get(tus.TOKEN_HEADER))
        if upload is None or upload.state == Upload.State.TERMINATED:
            raise tus.UploadNotFound("There is no such upload.")
        return Response(self.OutputSerializer(upload_status(upload=upload)).data)


def spectacular_add_head_endpoints(endpoints: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """drf-spectacular skips HEAD; tus needs it documented. A PREPROCESSING_HOOKS entry."""
    extra = [
        (path, regex, "HEAD", callback)
        for path, regex, method, callback in endpoints
        if method == "PATCH"
        and getattr(getattr(callback, "cls", None), "schema_include_head", False)
    ]
    return endpoints + extra
