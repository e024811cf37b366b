"""Calling YouTube: one request with bounded, jittered retries of what is transient.

Errors come out as the classes in ``publishing.youtube.api.errors``; ``record_call(method,
cost)`` is called once per call YouTube accepted so the caller can keep its quota ledger.
"""

from __future__ import annotations

import mimetypes
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest

from .errors import (
    TRANSPORT_ERRORS,
    TransientYouTubeError,
    is_retryable_http,
    translate_http_error,
    translate_refresh_error,
)
from .quota import cost_of

RecordCall = Callable[[str, int], None]
Sleep = Callable[[float], None]

DEFAULT_MAX_ATTEMPTS = 6


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


def pages(
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


def guess_type(path: Path, default: str) -> str:
    return mimetypes.guess_type(path.name)[0] or default
