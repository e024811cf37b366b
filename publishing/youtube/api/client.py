"""Building the YouTube client, OAuth, and the small calls a publication task makes.

Every function takes the ``youtube`` Resource from ``build_youtube`` and an optional
``record_call(method, cost)`` callback, called once per call YouTube accepted so the caller can
write its quota ledger. Errors come out as the classes in ``publishing.youtube.api.errors``.
"""

from __future__ import annotations

import json
import mimetypes
import os
import random
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import google_auth_httplib2
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import Resource, build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest, MediaFileUpload, build_http

from .errors import (
    TRANSPORT_ERRORS,
    ReconnectRequired,
    TransientYouTubeError,
    VideoNotFound,
    YouTubeApiError,
    is_retryable_http,
    translate_http_error,
    translate_refresh_error,
)
from .quota import cost_of

RecordCall = Callable[[str, int], None]
Sleep = Callable[[float], None]

DEFAULT_API_URL = "https://www.googleapis.com/"
DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret
DEFAULT_AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
SCOPES = (
    "https://www.googleapis.com/auth/youtube.force-ssl",
    "https://www.googleapis.com/auth/youtube.upload",
)
DEFAULT_MAX_ATTEMPTS = 6

ProcessingState = Literal["processing", "succeeded", "failed", "rejected"]


# --------------------------------------------------------------------------- building


def build_youtube(
    *,
    credentials: Credentials,
    api_url: str = DEFAULT_API_URL,
    http_timeout: float = 60,
) -> Resource:
    """A youtube v3 Resource built from the bundled discovery document, never the network.

    ``api_url`` is the root every call goes to, uploads included (``<api_url>upload/youtube/v3/
    videos``), plain http allowed for the local stand-in. The transport is an ``AuthorizedHttp``
    over ``googleapiclient.http.build_http()``, which does not follow 308 "Resume Incomplete".

    Raises RuntimeError if the installed google-api-python-client lacks the static document.
    """
    text = get_static_doc("youtube", "v3")
    if text is None:
        raise RuntimeError("google-api-python-client ships no youtube v3 discovery document")
    document: dict[str, Any] = json.loads(text)
    root = api_url if api_url.endswith("/") else api_url + "/"
    # googleapiclient derives regular calls from rootUrl + servicePath and uploads from
    # rootUrl + "upload/" + servicePath, so rewriting the roots moves both (scheme included);
    # client_options["api_endpoint"] would only move the regular calls.
    document["rootUrl"] = root
    document["mtlsRootUrl"] = root
    document["baseUrl"] = root + document.get("servicePath", "")
    http = build_http()
    http.timeout = http_timeout
    authorized = google_auth_httplib2.AuthorizedHttp(credentials, http=http)
    return build_from_document(document, http=authorized)


def token_uri_from_env() -> str:
    """``YOUTUBE_TOKEN_URI`` if set (the stand-in's ``/token``), else Google's token endpoint."""
    return os.environ.get("YOUTUBE_TOKEN_URI") or DEFAULT_TOKEN_URI


def make_credentials(
    *,
    refresh_token: str,
    client_id: str,
    client_secret: str,
    token_uri: str | None = None,
    access_token: str | None = None,
) -> Credentials:
    """OAuth user credentials for one channel; refreshed automatically before calls.

    A refused refresh surfaces from the API calls as ReconnectRequired.
    """
    return Credentials(
        token=access_token,
        refresh_token=refresh_token,
        token_uri=token_uri or token_uri_from_env(),
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(SCOPES),
    )


# --------------------------------------------------------------------------- OAuth web flow


def client_config_for(
    *,
    client_id: str,
    client_secret: str,
    auth_uri: str | None = None,
    token_uri: str | None = None,
) -> dict[str, Any]:
    """A "web" client config for google-auth-oauthlib, endpoints overridable for the stand-in."""
    return {
        "web": {
            "client_id": client_id,
            "client_secret": client_secret,
            "auth_uri": auth_uri or os.environ.get("YOUTUBE_AUTH_URI") or DEFAULT_AUTH_URI,
            "token_uri": token_uri or token_uri_from_env(),
        }
    }


def _allow_loopback_http(uri: str) -> None:
    """Let oauthlib talk plain http to a loopback endpoint (the stand-in), never elsewhere."""
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "::1"}:
        # oauthlib reads this process-wide switch on every call; production URIs are https.
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def authorization_url(
    *, client_config: dict[str, Any], redirect_uri: str, state: str
) -> tuple[str, str]:
    """The consent URL to send the campaign owner to, and the PKCE code verifier.

    Keep the verifier server-side (session), never in the URL; pass it to ``exchange_code``.
    Asks for offline access with ``prompt=consent`` so Google always returns a refresh token.
    """
    _allow_loopback_http(next(iter(client_config.values()))["auth_uri"])
    flow = Flow.from_client_config(
        client_config, scopes=list(SCOPES), redirect_uri=redirect_uri, state=state
    )
    url, _ = flow.authorization_url(
        access_type="offline", prompt="consent", include_granted_scopes="true"
    )
    if flow.code_verifier is None:
        raise RuntimeError("google-auth-oauthlib did not generate a PKCE code verifier")
    return url, flow.code_verifier


def exchange_code(
    *, client_config: dict[str, Any], redirect_uri: str, code: str, code_verifier: str
) -> Credentials:
    """Trade the authorization code from the redirect for credentials with a refresh token.

    Raises ReconnectRequired if Google refuses the code (expired, reused, wrong verifier).
    Plain-http token endpoints are allowed only on loopback (the stand-in).
    """
    _allow_loopback_http(next(iter(client_config.values()))["token_uri"])
    flow = Flow.from_client_config(
        client_config,
        scopes=list(SCOPES),
        redirect_uri=redirect_uri,
        code_verifier=code_verifier,
        autogenerate_code_verifier=False,
    )
    try:
        flow.fetch_token(code=code)
    except Exception as error:  # oauthlib raises its own hierarchy (InvalidGrantError, ...)
        raise ReconnectRequired(f"Google refused the authorization code: {error}") from error
    credentials = flow.credentials
    if not isinstance(credentials, Credentials):
        raise TypeError("google-auth-oauthlib returned unexpected credentials")
    return credentials


# --------------------------------------------------------------------------- calling


def backoff_delay(
    attempt: int,
    *,
    base: float = 1.0,
    cap: float = 32.0,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry ``attempt`` (1-based): exponential, capped, jittered."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return ceiling / 2 + rand() * ceiling / 2


def call_api(
    request: HttpRequest,
    *,
    method: str,
    record_call: RecordCall | None = None,
    sleep: Sleep = time.sleep,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> Any:
    """Execute one non-resumable request, retrying transient failures with bounded backoff.

    Retries 5xx, 429, rate-limit 403s, transport errors and retryable refresh failures.
    Raises TransientYouTubeError when attempts run out, QuotaExhausted, ReconnectRequired,
    PublishRejected, VideoNotFound or YouTubeApiError otherwise.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            result = request.execute(num_retries=0)
        except RefreshError as error:
            if not error.retryable:
                raise translate_refresh_error(error) from error
            failure: BaseException = error
        except HttpError as error:
            if not is_retryable_http(error):
                raise translate_http_error(error) from error
            failure = error
        except TRANSPORT_ERRORS as error:
            failure = error
        else:
            if record_call is not None:
                record_call(method, cost_of(method))
            return result
        if attempt >= max_attempts:
            raise TransientYouTubeError(f"{method} kept failing: {failure}") from failure
        sleep(backoff_delay(attempt))


def _pages(
    make_request: Callable[[str | None], HttpRequest],
    *,
    method: str,
    record_call: RecordCall | None,
    sleep: Sleep,
) -> Iterator[dict[str, Any]]:
    token: str | None = None
    while True:
        page = call_api(make_request(token), method=method, record_call=record_call, sleep=sleep)
        yield from page.get("items", [])
        token = page.get("nextPageToken")
        if not token:
            return


def _guess_type(path: Path, default: str) -> str:
    return mimetypes.guess_type(path.name)[0] or default


# --------------------------------------------------------------------------- wrappers


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
    media = MediaFileUpload(str(path), mimetype=_guess_type(path, "image/jpeg"), resumable=False)
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
    for playlist in _pages(
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
        _pages(
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
            for playlist in _pages(
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
