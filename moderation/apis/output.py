"""How the moderation API renders a story, a queue row and an audit entry."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from stories.models import Story

from .. import selectors
from ..permissions import story_get_actions


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


def detail_response(request: Request, story_id: int, status: int = 200) -> Response:
    story = selectors.story_for_review(story_id=story_id)
    if story is None:
        raise Http404
    data = StoryDetailSerializer(story, context={"request": request}).data
    return Response(data, status=status)
