"""Keeping YouTube's truth: what changed on the channel behind the product's back.

A periodic reconciliation (beat, ``YOUTUBE_RECONCILE_MINUTES``) reads every video we put on
YouTube back with ``videos.list`` by id (up to 50 ids per call, 1 unit each) and the playlists
we remember with ``playlists.list`` by id, and records on the publication what it found:

- ``video_deleted``: YouTube has no such video any more (deleted by hand in YouTube Studio);
- ``made_private``: we published it public or unlisted, it is private now;
- ``rejected`` / ``failed``: YouTube's processing rejected it (``status.uploadStatus`` with
  ``rejectionReason``) or failed (``failureReason``);
- ``playlist_deleted``: a playlist the video was in is gone.

``youtube_privacy`` keeps what YouTube says (public, unlisted, private, or "deleted"); the
gallery embeds only what YouTube plays to the public, the publisher pages show private as
private. Problems are shown with the next step (``problem_message``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from googleapiclient.discovery import Resource

from .api import existing_playlists, list_videos
from .models import Playlist, Publication

P = Publication.Status
# YouTube will not play these to the public; the gallery does not embed them.
NOT_PLAYABLE = ("private", "deleted")
CHECKED = (P.PROCESSING, P.PUBLISHED, P.TAKEN_DOWN)

Record = Callable[[str, int], None]


def expected_privacy(publication: Publication) -> str:
    """The privacy we asked YouTube for (a scheduled video is private until ``publishAt``)."""
    status = publication.metadata.get("status") or {}
    return str(status.get("privacyStatus") or "private")


def problem_message(publication: Publication) -> str:
    """The reconciliation's finding in words, with the next step for the publisher."""
    detail = publication.youtube_problem_detail
    problem = publication.youtube_problem
    if problem == "video_deleted":
        return _(
            "Das Video wurde auf YouTube gelöscht (nicht über diese Plattform). Es ist nicht "
            "mehr in der Galerie. Nächster Schritt: Wenn es wieder erscheinen soll, die "
            "Geschichte zurückziehen und neu veröffentlichen lassen."
        )
    if problem == "made_private":
        return _(
            "Das Video wurde auf YouTube von Hand auf „Privat“ gestellt; niemand kann es "
            "ansehen, die Galerie zeigt es nicht. Nächster Schritt: in YouTube Studio wieder "
            "auf „Öffentlich“ stellen, falls das ein Versehen war."
        )
    if problem in ("rejected", "failed"):
        return _(
            "YouTube hat das Video bei der Verarbeitung abgelehnt (%(reason)s). Nächster "
            "Schritt: den Grund in YouTube Studio prüfen; bei „duplicate“ gibt es das Video "
            "schon auf dem Kanal."
        ) % {"reason": detail or problem}
    if problem == "playlist_deleted":
        return _(
            "Die Playlist %(playlist)s wurde auf YouTube gelöscht; das Video ist in keiner "
            "Playlist dieser Art mehr. Die nächste Veröffentlichung legt sie neu an."
        ) % {"playlist": detail}
    return ""


def _finding(publication: Publication, item: dict[str, Any] | None) -> tuple[str, str, str]:
    """(privacy, problem, detail) for one publication and YouTube's resource (None: gone)."""
    if item is None:
        if publication.status == P.TAKEN_DOWN:
            return "deleted", "", ""
        return "deleted", "video_deleted", ""
    status = item.get("status") or {}
    privacy = str(status.get("privacyStatus", ""))
    upload = status.get("uploadStatus")
    if upload == "rejected":
        return privacy, "rejected", str(status.get("rejectionReason", ""))
    if upload == "failed":
        return privacy, "failed", str(status.get("failureReason", ""))
    scheduled = bool(status.get("publishAt"))
    if (
        publication.status == P.PUBLISHED
        and privacy == "private"
        and expected_privacy(publication) != "private"
        and not scheduled
    ):
        return privacy, "made_private", ""
    return privacy, "", ""


def reconcile_videos(*, youtube: Resource, record: Record | None = None) -> dict[str, int]:
    """Read our videos back from YouTube and record what changed; returns counts per problem."""
    rows = list(Publication.objects.filter(status__in=CHECKED).exclude(video_id=""))
    found = list_videos(
        youtube=youtube, video_ids=[row.video_id for row in rows], record_call=record
    )
    counts: dict[str, int] = {}
    now = timezone.now()
    for publication in rows:
        privacy, problem, detail = _finding(publication, found.get(publication.video_id))
        if problem == "" and publication.youtube_problem == "playlist_deleted":
            problem, detail = publication.youtube_problem, publication.youtube_problem_detail
        Publication.objects.filter(pk=publication.pk).update(
            youtube_privacy=privacy or publication.youtube_privacy,
            youtube_problem=problem,
            youtube_problem_detail=detail[:2000],
            youtube_checked_at=now,
        )
        if problem:
            counts[problem] = counts.get(problem, 0) + 1
    return counts


def reconcile_playlists(*, youtube: Resource, record: Record | None = None) -> list[str]:
    """Find the playlists YouTube no longer has, among those we remember and those our videos
    went into; forget them and flag the publications that used them. Returns the gone ids.
    """
    titles = {playlist.youtube_id: playlist.title for playlist in Playlist.objects.all()}
    rows = list(Publication.objects.filter(status__in=CHECKED).exclude(playlists=[]))
    wanted = set(titles) | {str(pid) for row in rows for pid in row.playlists}
    if not wanted:
        return []
    alive = existing_playlists(youtube=youtube, playlist_ids=sorted(wanted), record_call=record)
    gone = wanted - alive
    if not gone:
        return []
    with transaction.atomic():
        for publication in Publication.objects.select_for_update().filter(
            pk__in=[row.pk for row in rows]
        ):
            lost = [pid for pid in publication.playlists if pid in gone]
            if not lost:
                continue
            publication.playlists = [pid for pid in publication.playlists if pid not in gone]
            fields = ["playlists", "updated_at"]
            if not publication.youtube_problem and publication.status != P.TAKEN_DOWN:
                publication.youtube_problem = "playlist_deleted"
                publication.youtube_problem_detail = ", ".join(
                    f"„{titles[pid]}“" if pid in titles else pid for pid in lost
                )
                fields += ["youtube_problem", "youtube_problem_detail"]
            publication.save(update_fields=fields)
        Playlist.objects.filter(youtube_id__in=gone).delete()
    return sorted(gone)


def publications_with_problems() -> list[Publication]:
    """What the dashboard lists under "changed on YouTube"."""
    return list(
        Publication.objects.exclude(youtube_problem="")
        .exclude(status=P.TAKEN_DOWN)
        .select_related("story")
        .order_by("-youtube_checked_at", "pk")
    )
