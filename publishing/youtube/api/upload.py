"""Resumable video upload that survives retries, crashes and new worker processes.

How google-api-python-client behaves, and why this module drives it the way it does
(googleapiclient/http.py, ``HttpRequest.next_chunk``):

- ``next_chunk`` only asks the server for its offset (``PUT`` with ``Content-Range: bytes */N``)
  when the request object is in its private "error state", i.e. after one of its own chunk PUTs
  failed. A fresh request given a stored ``resumable_uri`` would start sending from byte 0.
  So when resuming from a saved ``UploadState`` we send that status query ourselves and set
  ``resumable_progress`` from the server's ``Range`` answer. Within one process, after a failed
  chunk, ``next_chunk``'s own status query does the job.
- Its built-in ``num_retries`` re-sends a chunk stream that was already consumed, and httplib2
  silently re-sends a request once after a dropped connection. A streamed chunk would then go
  out empty. We therefore call ``next_chunk(num_retries=0)``, run our own backoff loop, and make
  the upload read each chunk as bytes (``has_stream() -> False``), which any layer can re-send
  safely. Memory stays at one chunk (16 MiB by default), never the file.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.auth.exceptions import RefreshError
from googleapiclient.discovery import Resource
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest, MediaFileUpload

from .calls import RecordCall, Sleep, backoff_delay
from .errors import (
    TRANSPORT_ERRORS,
    TransientYouTubeError,
    is_retryable_http,
    translate_http_error,
    translate_refresh_error,
)
from .quota import cost_of

CHUNK_GRANULARITY = 256 * 1024
DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024
MAX_CHUNK_SIZE = 32 * 1024 * 1024
DEFAULT_MAX_ATTEMPTS = 8
MAX_NEW_SESSIONS = 3
SESSION_GONE = frozenset({404, 410})


@dataclass(frozen=True)
class UploadState:
    """What a worker must remember to resume an upload: store it after every chunk.

    ``session_uri`` is None until YouTube opened a session. ``confirmed_offset`` is the number of
    bytes YouTube confirmed; ``confirmed_offset == total`` means the video exists (a resume then
    just fetches its resource). ``total`` is the file size the session was opened for.
    """

    session_uri: str | None = None
    confirmed_offset: int = 0
    total: int = 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable dict (for a JSONField)."""
        return {
            "session_uri": self.session_uri,
            "confirmed_offset": self.confirmed_offset,
            "total": self.total,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> UploadState:
        """The inverse of ``to_json``; None or {} gives a fresh state."""
        if not data:
            return cls()
        return cls(
            session_uri=data.get("session_uri"),
            confirmed_offset=int(data.get("confirmed_offset", 0)),
            total=int(data.get("total", 0)),
        )


class _ChunkBytesUpload(MediaFileUpload):
    """A MediaFileUpload whose chunks are read as bytes (re-sendable), one chunk at a time."""

    def has_stream(self) -> bool:
        return False


def check_chunk_size(chunk_size: int) -> None:
    """Raise ValueError unless the chunk size is a positive multiple of 256 KiB up to 32 MiB."""
    if chunk_size <= 0 or chunk_size % CHUNK_GRANULARITY or chunk_size > MAX_CHUNK_SIZE:
        raise ValueError(
            f"chunk_size must be a multiple of {CHUNK_GRANULARITY} bytes up to {MAX_CHUNK_SIZE}"
        )


def resumable_upload(
    *,
    youtube: Resource,
    file_path: Path | str,
    body: dict[str, Any],
    state: UploadState | None,
    save_state: Callable[[UploadState], None],
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    mimetype: str = "video/*",
    part: str = "snippet,status",
    notify_subscribers: bool = True,
    sleep: Sleep = time.sleep,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    on_progress: Callable[[int, int], None] | None = None,
    record_call: RecordCall | None = None,
) -> dict[str, Any]:
    """Upload ``file_path`` as a new video (``videos.insert``) and return the video resource.

    Resumes the session in ``state`` if there is one for a file of the same size (a new worker
    process continues where the last one stopped); ``save_state`` is called after the session
    opens and after every confirmed chunk, ``on_progress(confirmed, total)`` too.
    ``record_call("videos.insert", 1600)`` is called each time a session is opened.

    Transient trouble (5xx, 429, rate-limit 403, dropped connections, timeouts) is retried with
    capped, jittered exponential backoff, ``max_attempts`` times in a row at most, then raises
    TransientYouTubeError (the saved state lets a later attempt resume). A session YouTube no
    longer knows (404/410) is replaced by a new one. Also raises QuotaExhausted (quotaExceeded,
    uploadLimitExceeded), PublishRejected (invalidTitle, ...), ReconnectRequired, YouTubeApiError,
    and OSError if the file cannot be read.
    """
    check_chunk_size(chunk_size)
    path = Path(file_path)
    total = os.stat(path).st_size
    media = _ChunkBytesUpload(str(path), mimetype=mimetype, chunksize=chunk_size, resumable=True)
    try:
        return _Uploader(
            youtube=youtube,
            media=media,
            body=body,
            part=part,
            notify_subscribers=notify_subscribers,
            total=total,
            save_state=save_state,
            sleep=sleep,
            max_attempts=max_attempts,
            on_progress=on_progress,
            record_call=record_call,
        ).run(state)
    finally:
        media.stream().close()


class _SessionGone(Exception):
    """The stored upload session is unknown (404) or expired (410) at YouTube."""


class _Uploader:
    def __init__(
        self,
        *,
        youtube: Resource,
        media: MediaFileUpload,
        body: dict[str, Any],
        part: str,
        notify_subscribers: bool,
        total: int,
        save_state: Callable[[UploadState], None],
        sleep: Sleep,
        max_attempts: int,
        on_progress: Callable[[int, int], None] | None,
        record_call: RecordCall | None,
    ) -> None:
        self.youtube = youtube
        self.media = media
        self.body = body
        self.part = part
        self.notify_subscribers = notify_subscribers
        self.total = total
        self.save_state = save_state
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.on_progress = on_progress
        self.record_call = record_call
        self.saved: UploadState | None = None
        self.charged_sessions: set[str] = set()
        self.request = self._new_request()

    def _new_request(self) -> HttpRequest:
        request: HttpRequest = self.youtube.videos().insert(
            part=self.part,
            body=self.body,
            media_body=self.media,
            notifySubscribers=self.notify_subscribers,
        )
        return request

    def _save(self, *, offset: int) -> None:
        state = UploadState(self.request.resumable_uri, offset, self.total)
        if state != self.saved:
            self.save_state(state)
            self.saved = state
            if self.on_progress is not None and state.session_uri:
                self.on_progress(offset, self.total)

    def _start_over(self, restarts: int) -> int:
        """Drop a session YouTube forgot and prepare a new one; returns the restart count."""
        if restarts >= MAX_NEW_SESSIONS:
            raise TransientYouTubeError("YouTube keeps discarding the upload session")
        self.request = self._new_request()
        self._save(offset=0)
        return restarts + 1

    def run(self, state: UploadState | None) -> dict[str, Any]:
        resume = state is not None and bool(state.session_uri) and state.total == self.total
        if resume:
            assert state is not None
            self.request.resumable_uri = state.session_uri
            self.charged_sessions.add(str(state.session_uri))
            self.saved = state
        failures = 0
        restarts = 0
        while True:
            had_session = self.request.resumable_uri is not None
            try:
                if resume:
                    resume = False
                    response = self._query_offset()
                else:
                    _, response = self.request.next_chunk(num_retries=0)
            except _SessionGone:
                restarts = self._start_over(restarts)
                continue
            except RefreshError as error:
                if not error.retryable:
                    raise translate_refresh_error(error) from error
                failure: BaseException = error
            except HttpError as error:
                status = int(error.resp.status)
                if had_session and status in SESSION_GONE:
                    restarts = self._start_over(restarts)
                    continue
                if not is_retryable_http(error):
                    self._save_opened_session()
                    raise translate_http_error(error) from error
                failure = error
            except TRANSPORT_ERRORS as error:
                failure = error
            else:
                failures = 0
                self._charge_new_session()
                if response is not None:
                    self._save(offset=self.total)
                    return dict(response)
                self._save(offset=self.request.resumable_progress)
                continue
            # A transient failure: remember any session that just opened, back off, retry.
            # After a failed chunk next_chunk() first asks YouTube for the confirmed offset.
            self._save_opened_session()
            failures += 1
            if failures >= self.max_attempts:
                raise TransientYouTubeError(
                    f"upload kept failing after {failures} attempts: {failure}"
                ) from failure
            self.sleep(backoff_delay(failures, rand=random.random))

    def _charge_new_session(self) -> None:
        """Report ``videos.insert`` once per session YouTube opened for us (that is the charge)."""
        uri = self.request.resumable_uri
        if uri is not None and uri not in self.charged_sessions:
            self.charged_sessions.add(uri)
            if self.record_call is not None:
                self.record_call("videos.insert", cost_of("videos.insert"))

    def _save_opened_session(self) -> None:
        self._charge_new_session()
        if self.request.resumable_uri is not None and (
            self.saved is None or self.saved.session_uri != self.request.resumable_uri
        ):
            self._save(offset=0)

    def _query_offset(self) -> dict[str, Any] | None:
        """Ask YouTube how much of the stored session it has; returns the video if complete.

        Raises _SessionGone for 404/410, HttpError for other refusals, transport errors as is.
        """
        uri = self.request.resumable_uri
        response, content = self.request.http.request(
            uri,
            "PUT",
            body=b"",
            headers={"Content-Range": f"bytes */{self.total}", "Content-Length": "0"},
        )
        if response.status in SESSION_GONE:
            raise _SessionGone
        if response.status in (200, 201):
            video: dict[str, Any] = self.request.postproc(response, content)
            return video
        if response.status != 308:
            raise HttpError(response, content, uri=uri)
        confirmed = 0
        if "range" in response:
            confirmed = int(response["range"].rsplit("-", 1)[1]) + 1
        self.request.resumable_progress = confirmed
        self._save(offset=confirmed)
        return None


def finished_session_video(*, youtube: Resource, session_uri: str, total_bytes: int) -> str:
    """The video id if the stored upload session was completed at YouTube (a crash after the
    last chunk, before the id was saved), else "". Never sends video bytes: it asks with an
    empty PUT and ``Content-Range: bytes */total``, as Google documents for resuming.
    https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol
    """
    response, content = youtube._http.request(
        session_uri,
        "PUT",
        body=b"",
        headers={"Content-Range": f"bytes */{total_bytes}", "Content-Length": "0"},
    )
    if response.status in (200, 201):
        return str(json.loads(content).get("id", ""))
    if response.status in (308, 404, 410):
        return ""
    raise translate_http_error(HttpError(response, content, uri=session_uri))
