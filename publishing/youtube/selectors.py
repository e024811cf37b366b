"""Reads for publishing: quota usage, the queue with expected dates, pending work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, Sum
from django.utils import timezone

from kernel.roles import Role

from .api import COSTS, QuotaExhausted, QuotaPolicy, next_reset
from .api.errors import PACIFIC
from .api.quota import UPLOAD_METHOD, QuotaModel
from .lifecycle import ACTIVE, GONE_STORY
from .models import Publication, QuotaLedger, YouTubeChannel
from .services.channel import QUOTA_REFUSED_UNITS, QUOTA_REFUSED_UPLOADS, channel_get, quota_day

P = Publication.Status

# Processing polls a publication usually needs (the first poll comes a second after the
# upload, then with backoff); the estimate counts them, the real number varies by one or two.
POLLS_EXPECTED = 2


def publication_calls(
    *, captions: bool = True, playlists: int = 2, playlists_new: int = 2
) -> dict[str, int]:
    """Every call one publication makes, by method, as the publish task makes them.

    Upload, thumbnail, the caption track (if the story has subtitles), per playlist the item
    lookup and insert, per playlist that does not exist yet its lookup and creation, and the
    processing polls. https://developers.google.com/youtube/v3/determine_quota_cost
    """
    calls = {
        UPLOAD_METHOD: 1,
        "thumbnails.set": 1,
        "captions.insert": 1 if captions else 0,
        "playlists.list": playlists_new,
        "playlists.insert": playlists_new,
        "playlistItems.list": playlists,
        "playlistItems.insert": playlists,
        "videos.list": POLLS_EXPECTED,
    }
    return {method: n for method, n in calls.items() if n}


def publication_units_estimate(policy: QuotaPolicy | None = None, **shape: int | bool) -> int:
    """Units of the shared budget one publication costs (the upload too in ``legacy``)."""
    policy = policy or quota_policy()
    calls = publication_calls(**shape)  # type: ignore[arg-type]
    if policy.model == "buckets":
        calls.pop(UPLOAD_METHOD, None)
    return sum(COSTS[method] * n for method, n in calls.items())


def publication_shape(publication: Publication) -> dict[str, int | bool]:
    """What this publication will call: subtitles or not, its playlists, which are new."""
    from stories.models import StorySubtitle

    from .models import Playlist

    story = publication.story
    wanted = []
    if story.region is not None and not story.region.is_other:
        wanted.append((Playlist.Kind.REGION.value, story.region.slug))
    if story.topic is not None:
        wanted.append((Playlist.Kind.TOPIC.value, story.topic.slug))
    known = sum(1 for kind, key in wanted if Playlist.objects.filter(kind=kind, key=key).exists())
    return {
        "captions": StorySubtitle.objects.filter(story=story).exists(),
        "playlists": len(wanted),
        "playlists_new": len(wanted) - known,
    }


@dataclass(frozen=True)
class QuotaUsage:
    day: dt.date
    units_used: int
    uploads_used: int
    policy: QuotaPolicy
    resets_at: dt.datetime

    @property
    def units_left(self) -> int:
        """Units left today: 0 once YouTube itself refused for quota, else by our ledger."""
        if self.youtube_refused_units:
            return 0
        return self.policy.remaining_units(units_used=self.units_used)

    @property
    def percent_used(self) -> int:
        if self.youtube_refused_units:
            return 100
        return min(100, round(100 * self.units_used / max(1, self.policy.daily_units)))

    @property
    def publications_left(self) -> int:
        """How many more whole publications fit today (everything each one calls)."""
        if self.refused_by_youtube:
            return 0
        return _publications_fitting(
            self.policy, units_used=self.units_used, uploads_used=self.uploads_used
        )

    @property
    def publication_units(self) -> int:
        """Units one publication costs at most (subtitles, two new playlists)."""
        return publication_units_estimate(self.policy)

    @property
    def refused_by_youtube(self) -> bool:
        """YouTube itself said today's quota is spent (whatever our ledger counted)."""
        return self.youtube_refused_units or self.youtube_refused_uploads

    youtube_refused_units: bool = False
    youtube_refused_uploads: bool = False


def quota_policy() -> QuotaPolicy:
    """The quota model and budget from the settings."""
    model: QuotaModel = "buckets" if settings.YOUTUBE_QUOTA_MODEL == "buckets" else "legacy"
    return QuotaPolicy(
        model=model,
        daily_units=settings.YOUTUBE_DAILY_UNITS,
        daily_uploads=settings.YOUTUBE_DAILY_UPLOADS,
    )


def quota_usage(*, now: dt.datetime | None = None) -> QuotaUsage:
    """Units and uploads booked in the ledger for the current quota day."""
    policy = quota_policy()
    day = quota_day(now)
    rows = QuotaLedger.objects.filter(day=day)
    uploads = rows.filter(method=UPLOAD_METHOD).aggregate(n=Count("id"))["n"] or 0
    counted = rows.exclude(method=UPLOAD_METHOD) if policy.model == "buckets" else rows
    units = counted.aggregate(total=Sum("cost"))["total"] or 0
    markers = set(
        rows.filter(method__in=[QUOTA_REFUSED_UNITS, QUOTA_REFUSED_UPLOADS]).values_list(
            "method", flat=True
        )
    )
    refused_units = QUOTA_REFUSED_UNITS in markers
    refused_uploads = QUOTA_REFUSED_UPLOADS in markers
    return QuotaUsage(
        day=day,
        units_used=int(units),
        uploads_used=int(uploads),
        policy=policy,
        resets_at=next_reset(now),
        youtube_refused_units=refused_units,
        youtube_refused_uploads=refused_uploads,
    )


def _publication_units(policy: QuotaPolicy) -> int:
    return publication_units_estimate(policy)


def _publications_fitting(policy: QuotaPolicy, *, units_used: int, uploads_used: int) -> int:
    by_units = policy.remaining_units(units_used=units_used) // _publication_units(policy)
    if policy.model == "buckets":
        return min(by_units, policy.uploads_left(units_used=units_used, uploads_used=uploads_used))
    return by_units


def quota_check(
    *, method: str, whole_publication: bool = False, publication: Publication | None = None
) -> None:
    """Raise QuotaExhausted (resume at midnight Pacific, ``source="budget"``) if our ledger
    says the call won't fit today.

    ``whole_publication`` asks for room for the upload and every call after it (of
    ``publication`` if given, else the largest publication), so that a publication does not
    start today only to wait for its captions until tomorrow.
    """
    usage = quota_usage()
    # Only our ledger is checked here: after YouTube's own refusal the task waits for the
    # reset (eta), and a call made anyway (a manual retry) lets YouTube say whether the
    # quota came back. The pages show 0 left meanwhile (``QuotaUsage.units_left``).
    usage.policy.check(method=method, units_used=usage.units_used, uploads_used=usage.uploads_used)
    if not whole_publication:
        return
    shape = publication_shape(publication) if publication is not None else {}
    needed = publication_units_estimate(usage.policy, **shape)
    fits_units = usage.policy.remaining_units(units_used=usage.units_used) >= needed
    fits_upload = usage.policy.model == "legacy" or (
        usage.policy.uploads_left(units_used=usage.units_used, uploads_used=usage.uploads_used) >= 1
    )
    if not (fits_units and fits_upload):
        raise QuotaExhausted("quotaExceeded", usage.resets_at, source="budget")


@dataclass(frozen=True)
class QueueRow:
    publication: Publication
    expected_on: dt.date | None  # in the campaign's time zone (TIME_ZONE), not YouTube's


def _local_date(day: dt.date, moment: dt.datetime) -> dt.date:
    """The campaign's date on which YouTube's quota day ``day`` is first usable.

    Quota days run in Pacific time; people read dates in TIME_ZONE. A quota day starts at
    Pacific midnight (09:00 in Berlin), and nothing goes out before now.
    """
    starts = dt.datetime.combine(day, dt.time(0, 0), tzinfo=PACIFIC)
    return max(timezone.localdate(starts), timezone.localdate(moment))


def publication_queue(*, now: dt.datetime | None = None) -> list[QueueRow]:
    """Publications not yet done, each with the quota day it is expected to go out.

    Work already on YouTube needs no new upload; the rest is spread over today's remaining
    budget and then full days, oldest request first (a scheduled ``publish_at`` is kept).
    """
    moment = now or timezone.now()
    usage = quota_usage(now=moment)
    per_day = max(
        1, _publications_fitting(usage.policy, units_used=0, uploads_used=0)
    )  # a full day
    left_today = usage.publications_left
    rows: list[QueueRow] = []
    day = usage.day
    slot = 0
    pending = (
        Publication.objects.filter(status__in=[*ACTIVE, P.FAILED, P.TAKEDOWN_REQUESTED])
        .select_related("story")
        .order_by("created_at", "id")
    )
    for publication in pending:
        if publication.status in (P.FAILED, P.TAKEDOWN_REQUESTED):
            rows.append(QueueRow(publication, None))
            continue
        if publication.video_id:
            rows.append(QueueRow(publication, _local_date(quota_day(moment), moment)))
            continue
        if publication.status == P.WAITING_FOR_QUOTA and publication.resume_at:
            day = max(day, quota_day(publication.resume_at))
        while True:
            capacity = left_today if day == usage.day else per_day
            if slot < capacity:
                break
            day += dt.timedelta(days=1)
            slot = 0
        slot += 1
        expected = day
        if publication.publish_at is not None:
            expected = max(expected, quota_day(publication.publish_at))
        rows.append(QueueRow(publication, _local_date(expected, moment)))
    return rows


def publication_recent(*, limit: int = 30) -> list[Publication]:
    """Finished publications (published or taken down), newest first."""
    return list(
        Publication.objects.filter(status__in=[P.PUBLISHED, P.TAKEN_DOWN])
        .select_related("story")
        .order_by("-updated_at")[:limit]
    )


def publication_for_story(*, story_id: int) -> Publication | None:
    return Publication.objects.filter(story_id=story_id).first()


# --- Who may do what -----------------------------------------------------------------------
def _in_group(user: AbstractBaseUser | AnonymousUser, *names: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return bool(user.groups.filter(name__in=names).exists())  # type: ignore[attr-defined]


def user_is_publisher(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Publishers and campaign admins see the publishing pages and edit YouTube metadata."""
    return _in_group(user, Role.PUBLISHER, Role.CAMPAIGN_ADMIN)


def publication_get_actions(
    *, publication: Publication, user: AbstractBaseUser | AnonymousUser
) -> list[str]:
    """What ``user`` may do with the publication now: edit_metadata, retry."""
    if not user_is_publisher(user):
        return []
    actions = []
    if (
        publication.status in (P.QUEUED, P.WAITING_FOR_QUOTA, P.FAILED)
        and not publication.session_uri
        and not publication.video_id
    ):
        actions.append("edit_metadata")
    if publication.status == P.FAILED and not publication.video_id:
        actions.append("retry")
    return actions


# --- Pending work for the reconciler ------------------------------------------------------
def channel_is_connected() -> bool:
    """The campaign's channel is connected (not waiting for a reconnect)."""
    channel = channel_get()
    return channel is not None and channel.status == YouTubeChannel.Status.CONNECTED


_channel_connected = channel_is_connected


def publication_find_stuck(now: dt.datetime) -> list[int]:
    """Publications the database says are pending but no worker seems to be doing."""
    if not _channel_connected():
        return []
    limit = now - dt.timedelta(seconds=settings.JOB_STUCK_AFTER)
    alive = Q(story__status__in=GONE_STORY)  # those go to the takedown instead
    lost_queued = Q(status=P.QUEUED) & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=limit))
    stale_claim = Q(claim_heartbeat_at__isnull=True) | Q(claim_heartbeat_at__lt=limit)
    stuck_upload = Q(status=P.UPLOADING) & stale_claim
    due = Q(status=P.WAITING_FOR_QUOTA) & (Q(resume_at__isnull=True) | Q(resume_at__lte=now))
    unfinished = Q(status=P.PROCESSING, extras_done=False) & stale_claim & Q(enqueued_at__lt=limit)
    lost_poll = (
        Q(status=P.PROCESSING, extras_done=True)
        & (Q(last_polled_at__isnull=True) | Q(last_polled_at__lt=limit))
        & Q(enqueued_at__lt=limit)
    )
    rows = Publication.objects.filter(
        lost_queued | stuck_upload | due | unfinished | lost_poll
    ).exclude(alive)
    return list(rows.values_list("pk", flat=True))


def publication_ids_to_resume() -> list[int]:
    """Everything paused while the channel was disconnected (after a reconnection)."""
    now = timezone.now()
    rows = Publication.objects.filter(status__in=ACTIVE).exclude(
        status=P.WAITING_FOR_QUOTA, resume_at__gt=now
    )
    return list(rows.values_list("pk", flat=True))


def takedown_story_ids_pending() -> list[int]:
    """Stories whose video must come off YouTube: takedown requested, or the story is gone."""
    return takedown_find_stuck(timezone.now(), fresh=True)


def takedown_find_stuck(now: dt.datetime, *, fresh: bool = False) -> list[int]:
    """Story ids of takedowns to (re-)enqueue: requested ones lost or due again, and
    publications whose story was withdrawn or taken down without a takedown request.
    """
    limit = now - dt.timedelta(seconds=settings.JOB_STUCK_AFTER)
    requested = Q(status=P.TAKEDOWN_REQUESTED) & (
        Q(resume_at__lte=now)
        | Q(enqueued_at__isnull=True)
        | (Q(resume_at__isnull=True) & Q(enqueued_at__lt=now if fresh else limit))
    )
    orphaned = Q(story__status__in=GONE_STORY) & ~Q(status__in=[P.TAKEDOWN_REQUESTED, P.TAKEN_DOWN])
    rows = Publication.objects.filter(requested | orphaned)
    return list(rows.values_list("story_id", flat=True).distinct())


# --- What a publisher must know, in words ---------------------------------------------------
def publication_status_label(publication: Publication) -> str:
    """The status as publishers should read it: a "published" video that is private on YouTube
    (uploaded so, or made private by hand) is shown as private, not as published.
    """
    from django.utils.translation import gettext as _

    if publication.status == P.PUBLISHED:
        if publication.youtube_problem == "video_deleted":
            return _("Auf YouTube gelöscht")
        if publication.youtube_privacy == "private":
            return _("Privat auf YouTube (nicht öffentlich sichtbar)")
        if publication.youtube_privacy == "unlisted":
            return _("Veröffentlicht (nicht gelistet)")
    return str(publication.get_status_display())


def publication_notices(publication: Publication) -> list[str]:
    """Sentences for the publication page: what is wrong or waiting, and the next step."""
    from django.utils.translation import gettext as _

    from .takedown import failing_steps
    from .truth import problem_message

    notices = [step["message"] for step in failing_steps(publication)]
    channel = channel_get()
    waiting = publication.status in (*ACTIVE, P.TAKEDOWN_REQUESTED)
    if waiting and (channel is None or channel.status != YouTubeChannel.Status.CONNECTED):
        notices.append(
            _(
                "Der YouTube-Kanal muss neu verbunden werden; bis dahin ist die "
                "Veröffentlichung pausiert und nichts geht verloren. Nächster Schritt: eine "
                "Kampagnen-Admin verbindet den Kanal unter „YouTube-Kanal“ neu."
            )
        )
    if publication.status == P.WAITING_FOR_QUOTA:
        if publication.last_error.startswith("Our own daily quota budget"):
            notices.append(
                _(
                    "Unser eigenes Tagesbudget reicht heute nicht für die ganze Veröffentlichung; "
                    "YouTube wurde nicht gefragt. Es geht nach Mitternacht (Pazifikzeit) weiter."
                )
            )
        else:
            notices.append(
                _(
                    "YouTube hat das Tageskontingent für verbraucht erklärt. Es geht nach "
                    "Mitternacht (Pazifikzeit) weiter."
                )
            )
    if publication.youtube_problem:
        notices.append(problem_message(publication))
    return notices


# --- The publisher's workspace --------------------------------------------------------------
def stories_ready_to_publish(*, limit: int = 100) -> list[Any]:
    """Approved stories with a processed video and no publication on its way (or a failed one
    that never reached YouTube), oldest approval first.
    """
    from stories.models import Story, StoryMedia

    on_the_way = Publication.objects.exclude(status=P.FAILED, video_id="").values("story_id")
    ready_media = StoryMedia.objects.filter(is_current=True, state=StoryMedia.State.READY).values(
        "story_id"
    )
    return list(
        Story.objects.filter(status=Story.Status.APPROVED, pk__in=ready_media)
        .exclude(pk__in=on_the_way)
        .select_related("region", "topic")
        .order_by("updated_at", "pk")[:limit]
    )
