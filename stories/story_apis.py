"""The submission flow through the API, for partner sites and apps.

The caller holds the draft's private token (returned once at creation) and sends it as
``Authorization: Story <token>``. One view per action; each calls one service.

The video goes to the tus endpoint ``/api/v1/uploads/`` with the draft's upload token
(``upload_token`` at creation, also in ``GET /api/v1/stories/mine/``) in the
``Upload-Token`` header on every tus request; the draft's public id authorises nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import abuse, attachments, selectors, services, subtitles
from .links import status_token
from .models import Story
from .upload_tokens import story_upload_token

TOKEN_HEADER = OpenApiParameter(
    name="Authorization",
    location=OpenApiParameter.HEADER,
    required=True,
    description="`Story <token>`: the private token returned when the draft was created.",
)


class StoryOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField()
    status_text = serializers.SerializerMethodField()
    title = serializers.CharField()
    text = serializers.CharField()
    region_id = serializers.IntegerField(allow_null=True)
    topic_id = serializers.IntegerField(allow_null=True)
    video_state = serializers.SerializerMethodField()
    video_progress = serializers.SerializerMethodField()
    video_problem = serializers.SerializerMethodField()

    def get_status_text(self, story: Story) -> str:
        return selectors.story_status_for_submitter(story=story)

    def get_video_state(self, story: Story) -> str | None:
        media = selectors.story_current_media(story=story)
        return media.state if media else None

    def get_video_progress(self, story: Story) -> float | None:
        media = selectors.story_current_media(story=story)
        return media.progress_percent if media else None

    def get_video_problem(self, story: Story) -> str | None:
        media = selectors.story_current_media(story=story)
        return media.failure_message if media and media.failure_message else None


class _StoryTokenApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    def story(self, request: Request) -> Story:
        header = request.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        story = selectors.story_by_access_token(token=token) if scheme == "Story" else None
        if story is None:
            raise NotAuthenticated(_("Der private Schlüssel der Geschichte fehlt oder ist falsch."))
        return story


class StoryCreateApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    class InputSerializer(serializers.Serializer):
        language = serializers.CharField(required=False, default="de", max_length=8)
        ref = serializers.CharField(required=False, default="", allow_blank=True, max_length=40)

    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        token = serializers.CharField()
        upload_token = serializers.CharField(
            help_text="Send as `Upload-Token` on every request to /api/v1/uploads/."
        )

    @extend_schema(
        request=InputSerializer, responses={201: OutputSerializer}, summary="Start a story draft"
    )
    def post(self, request: Request) -> Response:
        abuse.submission_limit_enforce(request=request, action="draft")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        story, token = services.story_create_draft(
            language=data.validated_data["language"], partner_ref=data.validated_data["ref"]
        )
        body = {
            "id": story.public_id,
            "token": token,
            "upload_token": story_upload_token(story=story),
        }
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)


class StoryDetailApi(_StoryTokenApi):
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(required=False, allow_blank=True)
        text = serializers.CharField(required=False, allow_blank=True)
        region_id = serializers.IntegerField(required=False, allow_null=True)
        region_other = serializers.CharField(required=False, allow_blank=True)
        topic_id = serializers.IntegerField(required=False, allow_null=True)
        video_language = serializers.CharField(required=False, allow_blank=True, max_length=16)
        submitter_name = serializers.CharField(required=False, allow_blank=True)
        submitter_email = serializers.EmailField(required=False, allow_blank=True)
        submitter_organisation = serializers.CharField(required=False, allow_blank=True)
        submitter_role = serializers.CharField(required=False, allow_blank=True)
        credit = serializers.CharField(required=False, allow_blank=True)
        credit_pseudonym = serializers.CharField(required=False, allow_blank=True)
        has_minor = serializers.BooleanField(required=False)
        guardian_name = serializers.CharField(required=False, allow_blank=True)
        guardian_email = serializers.EmailField(required=False, allow_blank=True)

    class DetailOutputSerializer(StoryOutputSerializer):
        upload_token = serializers.SerializerMethodField(
            help_text="Send as `Upload-Token` on every request to /api/v1/uploads/."
        )

        def get_upload_token(self, story: Story) -> str:
            return story_upload_token(story=story)

    @extend_schema(
        parameters=[TOKEN_HEADER],
        responses=DetailOutputSerializer,
        summary="Read a story by its private token",
    )
    def get(self, request: Request) -> Response:
        return Response(self.DetailOutputSerializer(self.story(request)).data)

    @extend_schema(
        parameters=[TOKEN_HEADER],
        request=InputSerializer,
        responses=StoryOutputSerializer,
        summary="Save fields of a draft",
    )
    def patch(self, request: Request) -> Response:
        story = self.story(request)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        story = services.story_update_draft(story=story, data=dict(data.validated_data))
        return Response(StoryOutputSerializer(story).data)


class StoryAttachVideoApi(_StoryTokenApi):
    class InputSerializer(serializers.Serializer):
        upload_id = serializers.UUIDField()

    @extend_schema(
        parameters=[TOKEN_HEADER],
        request=InputSerializer,
        responses=StoryOutputSerializer,
        summary="Attach a finished tus upload",
    )
    def post(self, request: Request) -> Response:
        story = self.story(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.story_attach_video(story=story, upload_id=data.validated_data["upload_id"])
        story.refresh_from_db()
        return Response(StoryOutputSerializer(story).data)


class ConsentTextsApi(APIView):
    """The consent texts to show before sending, with the version the submit call names."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    class FilterSerializer(serializers.Serializer):
        language = serializers.CharField(required=False, default="de", max_length=8)

    class OutputSerializer(serializers.Serializer):
        purpose = serializers.CharField()
        version = serializers.IntegerField()
        language = serializers.CharField(help_text="The text's own language (German fallback).")
        text = serializers.CharField()

    @extend_schema(
        parameters=[FilterSerializer],
        responses=OutputSerializer(many=True),
        summary="The current consent texts in a language, to show before sending",
    )
    def get(self, request: Request) -> Response:
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        texts = [
            text
            for purpose in services.REQUIRED_CONSENTS
            if (
                text := selectors.consent_text_current(
                    purpose=purpose, language=query.validated_data["language"]
                )
            )
            is not None
        ]
        return Response(self.OutputSerializer(texts, many=True).data)


class StorySubmitApi(_StoryTokenApi):
    class InputSerializer(serializers.Serializer):
        consents = serializers.ListField(child=serializers.CharField(), allow_empty=True)
        consent_language = serializers.CharField(
            required=False,
            max_length=8,
            help_text="The language the consent texts were requested in "
            "(`GET /api/v1/consent-texts/?language=`).",
        )
        consent_versions = serializers.DictField(
            child=serializers.IntegerField(min_value=1),
            required=False,
            help_text="Purpose → version of each consent text shown. Required for a draft; "
            "a version that is no longer current answers 409 with `extra.current`.",
        )

    class OutputSerializer(StoryOutputSerializer):
        status_link = serializers.SerializerMethodField()

        def get_status_link(self, story: Story) -> str:
            return f"/status/{status_token(public_id=str(story.public_id))}/"

    @extend_schema(
        parameters=[TOKEN_HEADER],
        request=InputSerializer,
        responses=OutputSerializer,
        summary="Send the story (double opt-in follows)",
    )
    def post(self, request: Request) -> Response:
        story = self.story(request)
        abuse.submission_limit_enforce(request=request, action="submit")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        story = services.story_submit(
            story=story,
            consents=data.validated_data["consents"],
            consent_language=data.validated_data.get("consent_language"),
            consent_versions=data.validated_data.get("consent_versions"),
        )
        return Response(self.OutputSerializer(story).data)


class StoryPhotosApi(_StoryTokenApi):
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        photo = serializers.FileField()

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        width = serializers.IntegerField()
        height = serializers.IntegerField()

    @extend_schema(
        parameters=[TOKEN_HEADER],
        request={"multipart/form-data": InputSerializer},
        responses={201: OutputSerializer},
        summary="Add a photo (JPEG, PNG or WebP; up to five; re-encoded, no EXIF)",
    )
    def post(self, request: Request) -> Response:
        story = self.story(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["photo"]
        photo = attachments.story_add_photo(story=story, file=upload, size=upload.size)
        return Response(self.OutputSerializer(photo).data, status=status.HTTP_201_CREATED)


class StoryPhotoDeleteApi(_StoryTokenApi):
    @extend_schema(parameters=[TOKEN_HEADER], responses={204: None}, summary="Remove a photo")
    def delete(self, request: Request, photo_id: int) -> Response:
        attachments.story_remove_photo(story=self.story(request), photo_id=photo_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StorySubtitlesApi(_StoryTokenApi):
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()
        language = serializers.CharField(max_length=16)

    class OutputSerializer(serializers.Serializer):
        language = serializers.CharField()
        cue_count = serializers.IntegerField()

    @extend_schema(
        parameters=[TOKEN_HEADER],
        request={"multipart/form-data": InputSerializer},
        responses=OutputSerializer,
        summary="Set the subtitles (SRT or WebVTT, stored as WebVTT)",
    )
    def put(self, request: Request) -> Response:
        story = self.story(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        raw = upload.read(subtitles.MAX_BYTES + 1)
        subtitle = attachments.story_set_subtitles(
            story=story, raw=raw, language=data.validated_data["language"]
        )
        return Response(self.OutputSerializer(subtitle).data)


class StoryWithdrawApi(_StoryTokenApi):
    @extend_schema(
        parameters=[TOKEN_HEADER],
        request=None,
        responses=StoryOutputSerializer,
        summary="Withdraw consent: the story leaves every public place",
    )
    def post(self, request: Request) -> Response:
        story = services.story_withdraw(story=self.story(request), comment="api")
        return Response(StoryOutputSerializer(story).data)
