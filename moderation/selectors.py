"""Reads of the moderation workspace: the queue, one story under review, the audit log.

Query counts stay constant whatever the number of rows: related rows come through joins
(``select_related``, annotations) or one prefetch per relation, never one query per row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from stories.models import AuditEntry, ConsentRecord, Story, StoryMedia

from .models import Approval, Claim, IntegrationToken, InternalNote, RejectionReason, Review
from .permissions import PERM_REVIEW

S = Story.Status
QUEUE_STATUSES = (
    S.IN_REVIEW,
    S.CHANGES_REQUESTED,
    S.APPROVED,
    S.PUBLISHED,
    S.REJECTED,
    S.TAKEN_DOWN,
    S.WITHDRAWN,
)


@dataclass
class QueueFilters:
    """What the queue page and API accept; empty values mean "no filter"."""

    status: str = S.IN_REVIEW
    region: int | None = None
    topic: int | None = None
    language: str = ""
    has_minor: bool | None = None
    guardian_pending: bool = False
    waiting_days: int | None = None
    mine: str = ""  # "assigned" or "claimed"
    revised: bool | None = None
    q: str = ""
    order: str = "oldest"  # or "newest"
    extra: dict[str, Any] = field(default_factory=dict)


def _annotated(queryset: QuerySet[Story]) -> QuerySet[Story]:
    now = timezone.now()
    return (
        queryset.select_related("region", "topic")
        .annotate(
            assignee_name=F("review__assignee__username"),
            assignee_id=F("review__assignee_id"),
            claim_holder_id=F("claim__holder_id"),
            claim_holder_name=F("claim__holder__username"),
            claim_expires_at=F("claim__expires_at"),
            live_approvals=Coalesce(
                Subquery(
                    Approval.objects.filter(story=OuterRef("pk"), superseded=False)
                    .order_by()
                    .values("story")
                    .annotate(n=Count("id"))
                    .values("n")[:1]
                ),
                0,
            ),
            claim_active=ExpressionWrapper(
                Q(claim__expires_at__gt=now), output_field=BooleanField()
            ),
        )
        .prefetch_related(
            Prefetch(
                "media",
                queryset=StoryMedia.objects.filter(is_current=True).only(
                    "id", "story_id", "state", "progress_percent", "poster_key", "failure_message"
                ),
                to_attr="current_media",
            )
        )
    )


def story_queue(*, filters: QueueFilters, user: Any) -> QuerySet[Story]:
    """The stories a moderator works through, filtered; oldest waiting first by default.

    Lean on purpose: paginate it, then load the page's rows with ``story_queue_rows``, so
    the joins and per-row figures are computed for one page, not for every waiting story.
    """
    queryset = Story.objects.all()
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    else:
        queryset = queryset.filter(status__in=QUEUE_STATUSES)
    if filters.region:
        queryset = queryset.filter(region_id=filters.region)
    if filters.topic:
        queryset = queryset.filter(topic_id=filters.topic)
    if filters.language:
        language = filters.language
        queryset = queryset.filter(Q(language=language) | Q(video_language=language))
    if filters.has_minor is not None:
        queryset = queryset.filter(has_minor=filters.has_minor)
    if filters.guardian_pending:
        queryset = queryset.filter(has_minor=True, guardian_confirmed_at__isnull=True)
    if filters.waiting_days:
        limit = timezone.now() - timedelta(days=filters.waiting_days)
        queryset = queryset.filter(status_changed_at__lt=limit)
    if filters.mine == "assigned":
        queryset = queryset.filter(review__assignee=user)
    elif filters.mine == "claimed":
        queryset = queryset.filter(claim__holder=user, claim__expires_at__gt=timezone.now())
    if filters.revised is not None:
        queryset = queryset.filter(revised=filters.revised)
    if filters.q:
        queryset = queryset.filter(Q(title__icontains=filters.q) | Q(text__icontains=filters.q))
    if filters.order == "newest":
        return queryset.order_by("-status_changed_at", "-id")
    return queryset.order_by("status_changed_at", "id")


def story_queue_rows(*, ids: list[int]) -> list[Story]:
    """One page of the queue with everything a row shows, in the order of ``ids``."""
    by_id = {story.pk: story for story in _annotated(Story.objects.filter(pk__in=ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


def story_status_counts() -> dict[str, int]:
    """How many stories are in each workspace status (one query)."""
    rows = (
        Story.objects.filter(status__in=QUEUE_STATUSES)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, int] = {str(status): 0 for status in QUEUE_STATUSES}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def story_for_review(*, story_id: int) -> Story | None:
    """One story with everything the review page shows, in a fixed number of queries."""
    return (
        Story.objects.select_related("region", "topic")
        .prefetch_related(
            Prefetch(
                "media",
                queryset=StoryMedia.objects.filter(is_current=True),
                to_attr="current_media",
            ),
            Prefetch(
                "consents",
                queryset=ConsentRecord.objects.select_related("consent_text"),
            ),
            Prefetch("internal_notes", queryset=InternalNote.objects.select_related("author")),
            Prefetch(
                "approvals",
                queryset=Approval.objects.filter(superseded=False).select_related("moderator"),
                to_attr="live_approvals_list",
            ),
        )
        .filter(pk=story_id)
        .first()
    )


def story_review_meta(*, story: Story) -> Review | None:
    """The moderators' metadata for a story (YouTube title, description, tags; assignee)."""
    return Review.objects.select_related("assignee").filter(story=story).first()


def story_youtube_meta(*, story: Story) -> dict[str, Any]:
    """The YouTube metadata moderators set, for publishing: empty values mean "not set"."""
    review = (
        Review.objects.filter(story=story)
        .only("youtube_title", "youtube_description", "youtube_tags")
        .first()
    )
    if review is None:
        return {"title": "", "description": "", "tags": []}
    return {
        "title": review.youtube_title,
        "description": review.youtube_description,
        "tags": list(review.youtube_tags),
    }


def story_claim(*, story: Story) -> Claim | None:
    """The active claim on a story, if anyone holds it."""
    return (
        Claim.objects.select_related("holder")
        .filter(story=story, expires_at__gt=timezone.now())
        .first()
    )


def story_audit(*, story: Story) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(story=story).order_by("-created_at", "-id")


def rejection_reasons() -> QuerySet[RejectionReason]:
    return RejectionReason.objects.filter(is_active=True).prefetch_related("texts")


def reviewers() -> QuerySet[Any]:
    """Everyone who can be assigned a story."""
    app_label, codename = PERM_REVIEW.split(".")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(
                groups__permissions__codename=codename,
                groups__permissions__content_type__app_label=app_label,
            )
        )
        .distinct()
        .order_by("username")
    )


@dataclass
class AuditFilters:
    actor: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    story: int | None = None


def audit_log(*, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The global audit log, newest first, filtered by moderator, action and date."""
    queryset = AuditEntry.objects.select_related("story").order_by("-created_at", "-id")
    if filters.actor:
        queryset = queryset.filter(actor_label=filters.actor)
    if filters.action:
        queryset = queryset.filter(action__startswith=filters.action)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        queryset = queryset.filter(
            created_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=tz)
        )
    if filters.date_to:
        day_after = filters.date_to + timedelta(days=1)
        queryset = queryset.filter(created_at__lt=datetime.combine(day_after, time.min, tzinfo=tz))
    if filters.story:
        queryset = queryset.filter(story_id=filters.story)
    return queryset


def audit_actions() -> list[str]:
    """The distinct actions recorded so far, for the filter's choices."""
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_actors() -> list[str]:
    return list(
        AuditEntry.objects.exclude(actor=None)
        .order_by("actor_label")
        .values_list("actor_label", flat=True)
        .distinct()
    )


def audit_rows(*, queryset: QuerySet[AuditEntry]) -> Iterator[list[str]]:
    """The log as CSV rows, read in chunks so a long export never sits in memory."""
    yield ["time", "actor", "action", "story_id", "story_title", "comment", "before", "after"]
    for entry in queryset.iterator(chunk_size=2000):
        yield [
            timezone.localtime(entry.created_at).isoformat(),
            entry.actor_label,
            entry.action,
            str(entry.story_id or ""),
            entry.story.title if entry.story else "",
            entry.comment,
            json.dumps(entry.before, ensure_ascii=False, default=str),
            json.dumps(entry.after, ensure_ascii=False, default=str),
        ]


def tokens_of(*, user: Any) -> QuerySet[IntegrationToken]:
    """The user's integration tokens that have not expired, newest first."""
    return IntegrationToken.objects.filter(user=user).exclude(expiry__lt=timezone.now())
