"""Abuse protection for the submission form, without third-party captchas.

A honeypot field catches simple bots: a filled honeypot makes the request look successful
and changes nothing. A fixed-window rate limit per client address, counted in Redis with
INCR+EXPIRE so every web process shares it, slows down floods of drafts and submissions.
The limit fails open (a logged warning) when Redis is down: turning supporters away is
worse than letting a few extra requests through.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest

from stories.uploads.ratelimit import rate_limit_hit
from stories.uploads.services import client_ip_hash

logger = logging.getLogger(__name__)


def honeypot_caught(*, request: HttpRequest, filled: bool, step: str) -> bool:
    """True when the honeypot is filled; logs it without the content."""
    if filled:
        logger.info("form honeypot filled at step %s; request ignored", step)
    return filled


def _client_key(request: HttpRequest) -> str:
    return client_ip_hash(ip=request.META.get("REMOTE_ADDR", ""))


def form_draft_rate_exceeded(*, request: HttpRequest) -> int | None:
    """Count one new draft for the client; seconds to wait when over FORM_DRAFT_RATE."""
    return rate_limit_hit(
        scope="form-draft", key=_client_key(request), rate=settings.FORM_DRAFT_RATE
    )


def form_submit_rate_exceeded(*, request: HttpRequest) -> int | None:
    """Count one sending attempt for the client; seconds to wait when over FORM_SUBMIT_RATE."""
    return rate_limit_hit(
        scope="form-submit", key=_client_key(request), rate=settings.FORM_SUBMIT_RATE
    )
