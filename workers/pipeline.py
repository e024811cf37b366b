"""The pipeline page's reads and its one write: stuck and failed jobs of every kind, retry.

A job is *failed* when its row says so and *stuck* when the reconciler would consider it
lost (the same selectors decide both, so the page and the reconciler never disagree).
Retrying calls the owning app's service, which re-checks the row's state under a lock;
this module only adds the audit entry saying who retried what from the pipeline page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.errors import ConflictError
from kernel.roles import is_campaign_admin
from stories.audit import audit_record
from stories.models import Story, StoryMedia

Actor = AbstractBaseUser | AnonymousUser | None

MEDIA = "media"
PUBLICATION = "publication"
KIT = "kit"
KIND_LABELS = {
    MEDIA: gettext_lazy("Videoverarbeitung"),
    PUBLICATION: gettext_lazy("YouTube-Veröffentlichung"),
    KIT: gettext_lazy("Kampagnenpaket"),
}


@dataclass(frozen=True)
class JobRow:
    """One failed or stuck job as the page shows it."""

    kind: str
    job_id: int
    label: str
    state: str
    state_display: str
    problem: str  # "failed" or "stuck"
    reason: str
    since: dt.datetime | None
    attempts: int
    story: Story | None = None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass
class KindSummary:
    kind: str
    counts: list[tuple[str, str, int]] = field(default_factory=list)  # state, label, count

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


def user_may_see_pipeline(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Campaign admins and superusers see the pipeline and may retry jobs."""
    return is_campaign_admin(user)


def _stuck_reason() -> str:
    minutes = max(1, settings.JOB_STUCK_AFTER // 60)
    return _("Seit über %(minutes)s Minuten ohne Fortschritt; kein Worker arbeitet daran.") % {
        "minutes": minutes
    }


# --- Reads --------------------------------------------------------------------------------
def _media_rows(now: dt.datetime) -> list[JobRow]:
    from stories.services import media_find_stuck

    stuck = set(media_find_stuck(now))
    rows = (
        StoryMedia.objects.filter(is_current=True)
        .filter(
            # the failed ones, plus the stuck ones the reconciler would pick up
            pk__in=list(stuck)
            + list(
                StoryMedia.objects.filter(
                    is_current=True, state=StoryMedia.State.FAILED
                ).values_list("pk", flat=True)
            )
        )
        .select_related("story")
        .order_by("enqueued_at", "pk")
    )
    result = []
    for media in rows:
        failed = media.state == StoryMedia.State.FAILED
        result.append(
            JobRow(
                kind=MEDIA,
                job_id=media.pk,
                label=media.story.title or str(media.story.public_id),
                state=media.state,
                state_display=media.get_state_display(),
                problem="failed" if failed else "stuck",
                reason=(media.failure_message or media.failure_code) if failed else _stuck_reason(),
                since=(media.finished_at if failed else None)
                or media.started_at
                or media.enqueued_at
                or media.created_at,
                attempts=media.attempts,
                story=media.story,
            )
        )
    return result


def _publication_rows(now: dt.datetime) -> list[JobRow]:
    from publishing.youtube.models import Publication
    from publishing.youtube.selectors import publication_find_stuck

    stuck = set(publication_find_stuck(now))
    failed = Publication.objects.filter(status=Publication.Status.FAILED).values_list(
        "pk", flat=True
    )
    rows = (
        Publication.objects.filter(pk__in=[*stuck, *failed])
        .select_related("story")
        .order_by("created_at", "pk")
    )
    result = []
    for publication in rows:
        is_failed = publication.status == Publication.Status.FAILED
        result.append(
            JobRow(
                kind=PUBLICATION,
                job_id=publication.pk,
                label=publication.title or publication.story.title,
                state=publication.status,
                state_display=publication.get_status_display(),
                problem="failed" if is_failed else "stuck",
                reason=(publication.failure_reason or publication.last_error)
                if is_failed
                else _stuck_reason(),
                since=(publication.failed_at if is_failed else None)
                or publication.enqueued_at
                or publication.created_at,
                attempts=publication.attempts,
                story=publication.story,
            )
        )
    return [*result, *_takedown_rows({row.job_id for row in result})]


def _takedown_rows(seen: set[int]) -> list[JobRow]:
    """Takedowns with a failing step: the video may still be public, or clean-up is left."""
    from publishing.youtube.takedown import takedowns_failing

    rows = []
    for publication, failing in takedowns_failing():
        if publication.pk in seen:
            continue
        rows.append(
            JobRow(
                kind=PUBLICATION,
                job_id=publication.pk,
                label=publication.title or publication.story.title,
                state=publication.status,
                state_display=publication.get_status_display(),
                problem="takedown",
                reason=" ".join(step["message"] for step in failing),
                since=publication.takedown_requested_at,
                attempts=publication.takedown_attempts,
                story=publication.story,
            )
        )
    return rows


def _kit_rows(now: dt.datetime) -> list[JobRow]:
    from publishing.partners.models import PartnerKit
    from publishing.partners.selectors import kit_stuck_q

    rows = (
        PartnerKit.objects.filter(kit_stuck_q(now=now) | _failed_kit_filter())
        .select_related("partner")
        .order_by("requested_at", "pk")
    )
    result = []
    for kit in rows:
        is_failed = kit.status == PartnerKit.Status.FAILED
        result.append(
            JobRow(
                kind=KIT,
                job_id=kit.pk,
                label=kit.partner.name if kit.partner else _("Öffentliches Material"),
                state=kit.status,
                state_display=kit.get_status_display(),
                problem="failed" if is_failed else "stuck",
                reason=kit.failure_reason if is_failed else _stuck_reason(),
                since=(kit.finished_at if is_failed else None)
                or kit.started_at
                or kit.requested_at,
                attempts=kit.attempts,
            )
        )
    return result


def _failed_kit_filter() -> Any:
    from django.db.models import Q

    from publishing.partners.models import PartnerKit

    return Q(status=PartnerKit.Status.FAILED)


def pipeline_problems(*, now: dt.datetime | None = None) -> list[JobRow]:
    """Every failed or stuck job, oldest first within each kind."""
    now = now or timezone.now()
    return [*_media_rows(now), *_publication_rows(now), *_kit_rows(now)]


def pipeline_counts() -> list[KindSummary]:
    """How many jobs of each kind are in each state (current media only)."""
    from django.db.models import Count

    from publishing.partners.models import PartnerKit
    from publishing.youtube.models import Publication

    def summary(kind: str, queryset: Any, field_name: str, choices: Any) -> KindSummary:
        counted = dict(
            queryset.order_by()
            .values_list(field_name)
            .annotate(n=Count("pk"))
            .values_list(field_name, "n")
        )
        return KindSummary(
            kind=kind,
            counts=[(value, str(label), counted.get(value, 0)) for value, label in choices],
        )

    return [
        summary(
            MEDIA,
            StoryMedia.objects.filter(is_current=True),
            "state",
            StoryMedia.State.choices,
        ),
        summary(PUBLICATION, Publication.objects.all(), "status", Publication.Status.choices),
        summary(KIT, PartnerKit.objects.all(), "status", PartnerKit.Status.choices),
    ]


# --- The retry ----------------------------------------------------------------------------
def pipeline_retry(*, kind: str, job_id: int, actor: Actor) -> None:
    """Run a failed or stuck job again through the owning app's service; one audit entry.

    Raises ``ConflictError`` when the job is neither failed nor stuck any more (a worker
    finished it, or someone else retried it first) and ``LookupError`` for an unknown job.
    """
    now = timezone.now()
    problems = {(row.kind, row.job_id): row for row in pipeline_problems(now=now)}
    row = problems.get((kind, job_id))
    if row is None:
        if kind not in KIND_LABELS:
            raise LookupError(kind)
        raise ConflictError(_("Dieser Auftrag ist weder fehlgeschlagen noch hängengeblieben."))
    with transaction.atomic():
        if kind == MEDIA:
            _retry_media(job_id, actor)
        elif kind == PUBLICATION and row.problem == "takedown":
            from publishing.youtube.takedown import takedown_rerun

            takedown_rerun(publication_id=job_id)
        elif kind == PUBLICATION:
            _retry_publication(job_id, actor, failed=row.problem == "failed", now=now)
        else:
            _retry_kit(job_id, actor)
        audit_record(
            action="workers.pipeline.retry",
            story=row.story,
            actor=actor,
            before={"kind": kind, "id": job_id, "state": row.state, "problem": row.problem},
            after={"kind": kind, "id": job_id},
        )


def _retry_media(media_id: int, actor: Actor) -> None:
    from stories.services import media_rerun

    media_rerun(media_id=media_id, actor=actor)


def _retry_publication(
    publication_id: int, actor: Actor, *, failed: bool, now: dt.datetime
) -> None:
    from publishing.youtube import services
    from publishing.youtube.models import Publication

    publication = Publication.objects.select_related("story").get(pk=publication_id)
    if failed:
        publish_at = (
            publication.publish_at
            if publication.publish_at and publication.publish_at > now
            else None
        )
        services.publication_request(story=publication.story, actor=actor, publish_at=publish_at)
        return
    services.publication_mark_enqueued(publication_id=publication_id)
    transaction.on_commit(partial(services.publication_enqueue, publication_id))


def _retry_kit(kit_id: int, actor: Actor) -> None:
    from publishing.partners.services import kit_retry

    kit_retry(kit_id=kit_id, actor=actor)
