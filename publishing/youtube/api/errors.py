"""Errors the YouTube client library raises, and the mapping from Google's answers to them.

The Celery task decides its retry policy by class alone:

- ``TransientYouTubeError``: the network or YouTube had a bad moment and our own bounded backoff
  ran out; retry the task later (an upload resumes from its saved state).
- ``QuotaExhausted``: nothing will work before ``resume_at`` (next midnight Pacific).
- ``ReconnectRequired``: the channel's refresh token was refused; a human must reconnect it.
- ``PublishRejected``: YouTube refused the content or metadata; the publisher must fix it.
- ``VideoNotFound``: the video is gone on YouTube (deleted there, or never finished).
- ``YouTubeApiError``: anything else YouTube refused; not worth retrying unchanged.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import socket
from typing import Any
from zoneinfo import ZoneInfo

import httplib2
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError

PACIFIC = ZoneInfo("America/Los_Angeles")

QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded", "uploadLimitExceeded"})
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
VALIDATION_REASONS = {
    "invalidTitle": "The title is empty, longer than 100 characters or contains < or >.",
    "invalidDescription": "The description is longer than 5000 bytes or contains < or >.",
    "invalidTags": "The tags are longer than 500 characters in total or contain < or >.",
    "invalidCategoryId": "The category is not one YouTube accepts.",
    "invalidPublishAt": "The scheduled publishing time is invalid (it needs a private video).",
    "invalidVideoMetadata": "YouTube refused the video's metadata.",
    "invalidFilename": "YouTube refused the file name.",
    "mediaBodyTooBig": "The file is larger than YouTube accepts.",
    "invalidImage": "YouTube could not read the thumbnail image.",
    "invalidMetadata": "YouTube refused the caption track's metadata.",
    "contentRequired": "The caption file is empty.",
    "invalidPlaylistSnippet": "The playlist title is empty or too long.",
    "forbidden": "The channel is not allowed to do this (for example custom thumbnails need a "
    "verified channel).",
}

TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    socket.timeout,
    httplib2.HttpLib2Error,
    # RemoteDisconnected, IncompleteRead, BadStatusLine...
    http.client.HTTPException,
)


class YouTubeError(Exception):
    """Base class of everything this library raises on purpose."""


class TransientYouTubeError(YouTubeError):
    """YouTube or the network kept failing after our bounded retries; try again later."""


class ReconnectRequired(YouTubeError):
    """Google refused to refresh the channel's credentials (revoked or expired grant)."""


class QuotaExhausted(YouTubeError):
    """The daily quota (or upload limit) is used up until ``resume_at``.

    ``source`` says who refused: "youtube" (YouTube answered quotaExceeded and the like) or
    "budget" (our own ledger said the call would not fit; YouTube was never asked).
    """

    def __init__(self, reason: str, resume_at: dt.datetime, *, source: str = "youtube") -> None:
        if source == "budget":
            text = (
                f"Our own daily quota budget has no room for this ({reason}); YouTube was not "
                f"asked. Try again after {resume_at}."
            )
        else:
            text = f"YouTube refused the call ({reason}); try again after {resume_at}."
        super().__init__(text)
        self.reason = reason
        self.resume_at = resume_at
        self.source = source


class PublishRejected(YouTubeError):
    """YouTube refused the metadata or media; ``message_for_publisher`` says what to change."""

    def __init__(self, reason: str, message_for_publisher: str) -> None:
        super().__init__(f"{reason}: {message_for_publisher}")
        self.reason = reason
        self.message_for_publisher = message_for_publisher


class VideoNotFound(YouTubeError):
    """The video does not exist (any more) on the channel."""


class YouTubeApiError(YouTubeError):
    """Any other refusal by YouTube; carries the HTTP status and Google's reason."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"YouTube answered {status} {reason}: {message}")
        self.status = status
        self.reason = reason


def next_reset(now: dt.datetime | None = None) -> dt.datetime:
    """The next midnight in America/Los_Angeles (when YouTube quotas reset), timezone-aware.

    A naive ``now`` is taken as UTC.
    """
    moment = dt.datetime.now(dt.UTC) if now is None else now
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(PACIFIC)
    tomorrow = local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=PACIFIC)


def error_reason(error: HttpError) -> tuple[int, str, str]:
    """(HTTP status, first reason, message) of a Google error response; reason may be ""."""
    status = int(error.resp.status)
    reason, message = "", ""
    content = error.content
    try:
        payload: Any = json.loads(
            content.decode("utf-8") if isinstance(content, bytes) else content
        )
    except (ValueError, UnicodeDecodeError, AttributeError):
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        body = payload["error"]
        message = str(body.get("message", ""))
        errors = body.get("errors") or []
        if errors and isinstance(errors[0], dict):
            reason = str(errors[0].get("reason", ""))
            message = str(errors[0].get("message", message))
    return status, reason, message


def is_retryable_http(error: HttpError) -> bool:
    """True for answers worth a backoff and retry: 5xx, 429 and rate-limit 403s."""
    status, reason, _ = error_reason(error)
    return status >= 500 or status == 429 or (status == 403 and reason in RATE_LIMIT_REASONS)


def translate_http_error(error: HttpError, *, now: dt.datetime | None = None) -> YouTubeError:
    """Map a googleapiclient HttpError to this library's error classes (returned, not raised)."""
    status, reason, message = error_reason(error)
    if reason in QUOTA_REASONS:
        return QuotaExhausted(reason, next_reset(now))
    if status == 401:
        return ReconnectRequired(message or "YouTube refused the channel's credentials.")
    if is_retryable_http(error):
        return TransientYouTubeError(f"YouTube answered {status} {reason}: {message}")
    if reason in VALIDATION_REASONS:
        return PublishRejected(reason, VALIDATION_REASONS[reason])
    if status == 404 and reason == "videoNotFound":
        return VideoNotFound(message or reason)
    return YouTubeApiError(status, reason, message)


def translate_refresh_error(error: RefreshError) -> ReconnectRequired:
    """A refused token refresh means a human must reconnect the channel."""
    return ReconnectRequired(f"Google refused to refresh the channel's access: {error}")
