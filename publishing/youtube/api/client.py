"""The small calls a publication task makes: thumbnail, captions, playlists, video status, takedown.

Every function takes the ``youtube`` Resource from ``build_youtube`` and an optional
``record_call(method, cost)`` callback, called once per call YouTube accepted so the caller can
write its quota ledger. Errors come out as the classes in ``publishing.youtube.api.errors``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from googleapiclient.discovery import Resource
from googleapiclient.http import MediaFileUpload

from .calls import RecordCall, Sleep, call_api, guess_type, pages
from .errors import (
    VideoNotFound,
    YouTubeApiError,
)

ProcessingState = Literal["processing", "succeeded", "failed", "rejected"]


def set_thumbnail(
    *,
    youtube: Resource,
    video_id: str,
    image_path: Path | str,
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
) -> dict[str, Any]:
    """Upload a JPEG/PNG (≤ 2 MB) as the video's thumbnail; returns YouTube's answer.

    Raises VideoNotFound, PublishRejected (forbidden: channel not verified, mediaBodyTooBig),
    QuotaExhausted, ReconnectRequired, TransientYouTubeError.
    """
    path = Path(image_path)
    media = MediaFileUpload(str(path), mimetype=guess_type(path, "image/jpeg"), resumable=False)
    try:
        request = youtube.thumbnails().set(videoId=video_id, media_body=media)
        result: dict[str, Any] = call_api(
            request, method="thumbnails.set", record_call=record_call, sleep=sleep
        )
    finally:
        media.stream().close()
    return result


def insert_caption(
    *,
    youtube: Resource,
    video_id: str,
    caption_path: Path | str,
    language: str,
    name: str = "",
    is_draft: bool = False,
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
) -> str:
    """Attach a caption track (WebVTT/SRT file) to the video; returns the caption id.

    Raises VideoNotFound, PublishRejected, QuotaExhausted, ReconnectRequired,
    TransientYouTubeError.
    """
    path = Path(caption_path)
    media = MediaFileUpload(str(path), mimetype="application/octet-stream", resumable=False)
    body = {
        "snippet": {"videoId": video_id, "language": language, "name": name, "isDraft": is_draft}
    }
    try:
        request = youtube.captions().insert(part="snippet", body=body, media_body=media)
        result = call_api(request, method="captions.insert", record_call=record_call, sleep=sleep)
    finally:
        media.stream().close()
    return str(result["id"])


def ensure_playlist(
    *,
    youtube: Resource,
    title: str,
    description: str = "",
    privacy: str = "public",
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
) -> str:
    """The id of the channel's playlist titled exactly ``title``, created if it is missing.

    Raises PublishRejected (invalid title), QuotaExhausted, ReconnectRequired,
    TransientYouTubeError.
    """
    youtube_playlists = youtube.playlists()
    for playlist in pages(
        lambda token: youtube_playlists.list(
            part="snippet", mine=True, maxResults=50, pageToken=token
        ),
        method="playlists.list",
        record_call=record_call,
        sleep=sleep,
    ):
        if playlist["snippet"]["title"] == title:
            return str(playlist["id"])
    body = {
        "snippet": {"title": title, "description": description},
        "status": {"privacyStatus": privacy},
    }
    created = call_api(
        youtube_playlists.insert(part="snippet,status", body=body),
        method="playlists.insert",
        record_call=record_call,
        sleep=sleep,
    )
    return str(created["id"])


def _playlist_items_of(
    *,
    youtube: Resource,
    playlist_id: str,
    video_id: str,
    record_call: RecordCall | None,
    sleep: Sleep,
) -> list[dict[str, Any]]:
    items = youtube.playlistItems()
    return list(
        pages(
            lambda token: items.list(
                part="id,snippet",
                playlistId=playlist_id,
                videoId=video_id,
                maxResults=50,
                pageToken=token,
            ),
            method="playlistItems.list",
            record_call=record_call,
            sleep=sleep,
        )
    )


def add_to_playlist(
    *,
    youtube: Resource,
    playlist_id: str,
    video_id: str,
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
) -> str:
    """Put the video in the playlist unless it is already there; returns the playlist item id.

    Raises VideoNotFound, YouTubeApiError (404 playlistNotFound), QuotaExhausted,
    ReconnectRequired, TransientYouTubeError.
    """
    existing = _playlist_items_of(
        youtube=youtube,
        playlist_id=playlist_id,
        video_id=video_id,
        record_call=record_call,
        sleep=sleep,
    )
    if existing:
        return str(existing[0]["id"])
    body = {
        "snippet": {
            "playlistId": playlist_id,
            "resourceId": {"kind": "youtube#video", "videoId": video_id},
        }
    }
    created = call_api(
        youtube.playlistItems().insert(part="snippet", body=body),
        method="playlistItems.insert",
        record_call=record_call,
        sleep=sleep,
    )
    return str(created["id"])


def get_video(
    *,
    youtube: Resource,
    video_id: str,
    parts: str = "snippet,status,processingDetails",
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
) -> dict[str, Any]:
    """The video resource with the given parts. Raises VideoNotFound if YouTube has no such id."""
    answer = call_api(
        youtube.videos().list(part=parts, id=video_id),
        method="videos.list",
        record_call=record_call,
        sleep=sleep,
    )
    items = answer.get("items") or []
    if not items:
        raise VideoNotFound(f"YouTube has no video {video_id}")
    video: dict[str, Any] = items[0]
    return video


def get_processing_status(
    *,
    youtube: Resource,
    video_id: str,
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
) -> tuple[ProcessingState, str]:
    """Where YouTube is with the uploaded video: (state, detail).

    ``processing`` (detail: progress if known), ``succeeded``, ``failed`` (detail: failure
    reason) or ``rejected`` (detail: rejection reason, e.g. duplicate, copyright).
    Raises VideoNotFound, QuotaExhausted, ReconnectRequired, TransientYouTubeError.
    """
    video = get_video(
        youtube=youtube,
        video_id=video_id,
        parts="status,processingDetails",
        record_call=record_call,
        sleep=sleep,
    )
    status = video.get("status") or {}
    details = video.get("processingDetails") or {}
    upload_status = status.get("uploadStatus")
    processing = details.get("processingStatus")
    if upload_status == "rejected":
        return "rejected", str(status.get("rejectionReason", ""))
    if upload_status == "failed" or processing in {"failed", "terminated"}:
        reason = status.get("failureReason") or details.get("processingFailureReason") or ""
        return "failed", str(reason)
    if processing == "succeeded" or upload_status == "processed":
        return "succeeded", ""
    progress = details.get("processingProgress") or {}
    detail = ""
    if progress.get("partsTotal"):
        detail = f"{progress.get('partsProcessed', 0)}/{progress['partsTotal']}"
    return "processing", detail


# The status fields videos.update keeps when the takedown sends the status part back
# (videos.update replaces the whole part). ``publishAt`` is left out on purpose: a private
# video with a publishAt would be made public by YouTube at that time.
# https://developers.google.com/youtube/v3/docs/videos/update ("status.publishAt")
KEPT_STATUS_FIELDS = frozenset(
    {
        "embeddable",
        "license",
        "publicStatsViewable",
        "selfDeclaredMadeForKids",
        "containsSyntheticMedia",
    }
)

TakedownOutcome = Literal["private", "deleted", "gone"]


def make_unreachable(
    *,
    youtube: Resource,
    video_id: str,
    mode: Literal["private", "delete"] = "private",
    known_status: dict[str, Any] | None = None,
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
) -> TakedownOutcome:
    """The takedown's first and only essential call: make the video private, or delete it.

    One call, nothing before it: ``videos.update`` with the status part (built from
    ``known_status``, what we sent at upload, so no ``videos.list`` is needed first) or
    ``videos.delete``. Returns "private", "deleted", or "gone" when YouTube no longer has the
    video. Raises QuotaExhausted, ReconnectRequired, TransientYouTubeError, YouTubeApiError.
    """
    if mode not in ("private", "delete"):
        raise ValueError(f"unknown takedown mode {mode!r}")
    try:
        if mode == "delete":
            call_api(
                youtube.videos().delete(id=video_id),
                method="videos.delete",
                record_call=record_call,
                sleep=sleep,
            )
            return "deleted"
        status = {
            key: value for key, value in (known_status or {}).items() if key in KEPT_STATUS_FIELDS
        }
        status["privacyStatus"] = "private"
        call_api(
            youtube.videos().update(part="status", body={"id": video_id, "status": status}),
            method="videos.update",
            record_call=record_call,
            sleep=sleep,
        )
        return "private"
    except VideoNotFound:
        return "gone"


def remove_from_playlist(
    *,
    youtube: Resource,
    playlist_id: str,
    video_id: str,
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
) -> int:
    """Delete the video's items from one playlist; returns how many were removed.

    A playlist that no longer exists counts as done (0). Raises QuotaExhausted,
    ReconnectRequired, TransientYouTubeError, YouTubeApiError.
    """
    try:
        items = _playlist_items_of(
            youtube=youtube,
            playlist_id=playlist_id,
            video_id=video_id,
            record_call=record_call,
            sleep=sleep,
        )
    except YouTubeApiError as error:
        if error.status == 404:
            return 0
        raise
    for item in items:
        try:
            call_api(
                youtube.playlistItems().delete(id=item["id"]),
                method="playlistItems.delete",
                record_call=record_call,
                sleep=sleep,
            )
        except YouTubeApiError as error:
            if error.status != 404:
                raise
    return len(items)


def takedown(
    *,
    youtube: Resource,
    video_id: str,
    mode: Literal["private", "delete"] = "private",
    playlist_ids: Sequence[str] | None = None,
    known_status: dict[str, Any] | None = None,
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
) -> TakedownOutcome:
    """Withdraw a published video: first make it private (or delete it), then take it out of
    the playlists it is in (``playlist_ids``, or every playlist of the channel).

    Playlist clean-up only runs after the video is unreachable; a deleted video's items are
    removed too (a playlist keeps a "Deleted video" entry otherwise). Idempotent.
    Raises QuotaExhausted, ReconnectRequired, TransientYouTubeError, YouTubeApiError; the
    product's task calls the two steps itself to record each outcome.
    """
    outcome = make_unreachable(
        youtube=youtube,
        video_id=video_id,
        mode=mode,
        known_status=known_status,
        record_call=record_call,
        sleep=sleep,
    )
    if playlist_ids is None:
        playlist_ids = [
            str(playlist["id"])
            for playlist in pages(
                lambda token: youtube.playlists().list(
                    part="id", mine=True, maxResults=50, pageToken=token
                ),
                method="playlists.list",
                record_call=record_call,
                sleep=sleep,
            )
        ]
    for playlist_id in playlist_ids:
        remove_from_playlist(
            youtube=youtube,
            playlist_id=playlist_id,
            video_id=video_id,
            record_call=record_call,
            sleep=sleep,
        )
    return outcome


def list_videos(
    *,
    youtube: Resource,
    video_ids: Sequence[str],
    parts: str = "status",
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
) -> dict[str, dict[str, Any]]:
    """The videos YouTube still has among ``video_ids``, by id (``videos.list``, 1 unit per
    call of up to 50 ids, as Google documents for the ``id`` filter). Missing ids are absent.
    """
    found: dict[str, dict[str, Any]] = {}
    ids = list(dict.fromkeys(video_ids))
    for start in range(0, len(ids), 50):
        batch = ids[start : start + 50]
        answer = call_api(
            youtube.videos().list(part=parts, id=",".join(batch), maxResults=50),
            method="videos.list",
            record_call=record_call,
            sleep=sleep,
        )
        for item in answer.get("items") or []:
            found[str(item["id"])] = item
    return found


def existing_playlists(
    *,
    youtube: Resource,
    playlist_ids: Sequence[str],
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
) -> set[str]:
    """Which of ``playlist_ids`` still exist on YouTube (``playlists.list`` by id, 50 a call)."""
    ids = list(dict.fromkeys(playlist_ids))
    found: set[str] = set()
    for start in range(0, len(ids), 50):
        batch = ids[start : start + 50]
        answer = call_api(
            youtube.playlists().list(part="id", id=",".join(batch), maxResults=50),
            method="playlists.list",
            record_call=record_call,
            sleep=sleep,
        )
        found |= {str(item["id"]) for item in answer.get("items") or []}
    return found
