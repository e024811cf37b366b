"""The public page cache: rendered pages for anonymous visitors, answered before the view.

The cache backend is django-redis with ``IGNORE_EXCEPTIONS`` (settings), so an unreachable
Redis costs speed, never availability. ``PublicPageCacheMiddleware`` keeps the
rendered public pages (gallery, story pages, legal pages) for anonymous visitors, per
language, and answers repeat visits before sessions, CSRF, auth and the view run at all.
Any change to what the public sees bumps one version number, so a withdrawn story leaves
every cached page at once; a short lifetime covers edits made elsewhere (legal texts).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from kernel.cache import VERSION_KEY

logger = logging.getLogger(__name__)


class PublicPageCacheMiddleware:
    """Serve anonymous GETs of public pages from the cache; store what is safe to store."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self._storable(request, response):
            headers = [(k, v) for k, v in response.items() if k.lower() != "x-request-id"]
            cache.set(
                key,
                (response.status_code, headers, response.content),
                settings.PUBLIC_PAGE_CACHE_SECONDS,
            )
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _key(request: HttpRequest) -> str | None:
        if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
            return None
        if not request.path.startswith(tuple(settings.PUBLIC_PAGE_CACHE_PATHS)):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None  # signed-in people and messages: never from the shared cache
        version = cache.get(VERSION_KEY) or 0
        language = translation.get_language_from_request(request)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        return f"public-page:{version}:{language}:{digest}"

    @staticmethod
    def _storable(request: HttpRequest, response: HttpResponse) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
            return False  # a page with a form carries this visitor's CSRF token
        control = response.get("Cache-Control", "")
        return "private" not in control and "no-store" not in control
