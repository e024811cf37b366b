"""Abuse protection for every way a story comes in, without third-party captchas.

A honeypot field catches simple bots: a filled honeypot makes the request look successful
and changes nothing. Rate limits per client address slow down floods of drafts, submissions
and uploads. **Every entry point shares the same limits**: the form, the story API and the
tus upload creation all count through ``submission_limit_hit`` (or, for uploads, the same
``rate_limit_hit`` with the same key), so a client cannot skip the form's limits by calling
the API. The limits are read from settings on each call:

==========  ======================  =============================================
action      setting                 counted at
==========  ======================  =============================================
``draft``   ``FORM_DRAFT_RATE``     form step 1 (new draft), ``POST /api/v1/stories/``
``submit``  ``FORM_SUBMIT_RATE``    form "Senden", ``POST /api/v1/stories/mine/submit/``
``upload``  ``UPLOAD_CREATE_RATE``  tus ``POST /api/v1/uploads/`` (stories/uploads/services.py)
==========  ======================  =============================================

``status_link`` (``STATUS_LINK_REQUEST_RATE``) counts requests for a fresh status link.

The counter is the existing fixed-window counter in Redis (``INCR`` + ``EXPIRE``, shared by
every web process, ``stories/uploads/ratelimit.py``). It is a thin, working wrapper on Redis,
so it is kept rather than replaced by django-ratelimit, which would only add a second
counting scheme beside the one the upload app already uses. It fails open (a logged warning)
when Redis is down: turning supporters away is worse than letting a few extra requests in.
The client address is ``REMOTE_ADDR`` only (the trusted-proxy middleware sets it from the
proxy's header when the peer is a trusted proxy); it is hashed, never stored raw.
"""

from __future__ import annotations

import logging
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.exceptions import Throttled

from stories.uploads.ratelimit import rate_limit_hit
from stories.uploads.services import client_ip_hash

logger = logging.getLogger(__name__)

Action = Literal["draft", "submit", "upload", "status_link"]
# action -> (counter scope, setting with the rate); the upload scope is the one
# stories.uploads.services.upload_create counts under.
LIMITS: dict[str, tuple[str, str]] = {
    "draft": ("form-draft", "FORM_DRAFT_RATE"),
    "submit": ("form-submit", "FORM_SUBMIT_RATE"),
    "upload": ("upload-create", "UPLOAD_CREATE_RATE"),
    "status_link": ("status-link", "STATUS_LINK_REQUEST_RATE"),
}


def honeypot_caught(*, request: HttpRequest, filled: bool, step: str) -> bool:
    """True when the honeypot is filled; logs it without the content."""
    if filled:
        logger.info("form honeypot filled at step %s; request ignored", step)
    return filled


def client_key(request: HttpRequest) -> str:
    """The pseudonymous key of the client address every limit counts under."""
    return client_ip_hash(ip=request.META.get("REMOTE_ADDR", ""))


def submission_limit_hit(*, request: HttpRequest, action: Action) -> int | None:
    """Count one ``action`` for the client; seconds to wait when over its limit, else None."""
    scope, setting = LIMITS[action]
    return rate_limit_hit(scope=scope, key=client_key(request), rate=getattr(settings, setting))


def submission_limit_enforce(*, request: HttpRequest, action: Action) -> None:
    """For APIs: count one ``action``; over the limit raise DRF's ``Throttled``.

    The API's exception handler renders it as 429 in the one error shape, with
    ``Retry-After``.
    """
    wait = submission_limit_hit(request=request, action=action)
    if wait is not None:
        raise Throttled(wait=wait, detail=rate_limited_message(wait))


def rate_limited_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _(
        "Von Ihrer Internetverbindung kamen gerade sehr viele Anfragen. "
        "Bitte versuchen Sie es in %(minutes)d Minuten noch einmal. Ihre Eingaben bleiben erhalten."
    ) % {"minutes": minutes}


def form_draft_rate_exceeded(*, request: HttpRequest) -> int | None:
    """Count one new draft for the client; seconds to wait when over FORM_DRAFT_RATE."""
    return submission_limit_hit(request=request, action="draft")


def form_submit_rate_exceeded(*, request: HttpRequest) -> int | None:
    """Count one sending attempt for the client; seconds to wait when over FORM_SUBMIT_RATE."""
    return submission_limit_hit(request=request, action="submit")
