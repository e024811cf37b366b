"""Unpublished media leave only through permission-checked views, served efficiently.

The view checks who may see the file; the bytes then come from the fastest place:
nginx (``X-Accel-Redirect`` to an ``internal`` location) when ``MEDIA_X_ACCEL_PREFIX`` is
set, a short-lived signed URL on S3-compatible storage, or else streamed by Django.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseBase, HttpResponseRedirect

from kernel.storage import media_backend_path


def offload(key: str, *, content_type: str) -> HttpResponseBase | None:
    """A response that lets nginx or the object store send ``key``; None: stream it here."""
    backend = media_backend_path()
    response: HttpResponseBase
    if settings.MEDIA_X_ACCEL_PREFIX and backend.endswith("FileSystemStorage"):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_X_ACCEL_PREFIX.rstrip("/") + "/" + quote(key)
    elif settings.MEDIA_S3_SIGNED_REDIRECT and backend.endswith("S3Storage"):
        response = HttpResponseRedirect(default_storage.url(key))  # expires, see S3 settings
    else:
        return None
    response["Cache-Control"] = "private, no-store"
    return response
