"""The public pages' cache version: one number that every public change bumps.

``config.cache.PublicPageCacheMiddleware`` keys the cached pages by it, so a change anywhere
(a withdrawn story, a new publication) leaves every cached public page at once.
"""

from __future__ import annotations

from django.core.cache import cache

VERSION_KEY = "public-pages:version"


def public_content_changed() -> None:
    """Something the public sees changed: every cached public page is stale from now on."""
    if not cache.add(VERSION_KEY, 1, timeout=None):
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # expired between add and incr
            cache.set(VERSION_KEY, 1, timeout=None)
