"""A story's preview, poster, photos and subtitles, streamed to staff only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.views.decorators.http import require_GET

from kernel.protected_media import offload
from stories.models import StoryMedia, StoryPhoto, StorySubtitle

from .access import staff_required

MEDIA_KINDS = {"preview": "video/mp4", "poster": "image/jpeg"}
ATTACHMENT_TYPES = {"photo": "image/jpeg", "subtitles": "text/vtt; charset=utf-8"}
RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


@staff_required
@require_GET
def media(request: HttpRequest, story_id: int, kind: str) -> HttpResponseBase:
    """Stream a story's preview rendition or poster to staff; never through a public URL."""
    if kind not in MEDIA_KINDS:
        raise Http404
    row = StoryMedia.objects.filter(story_id=story_id, is_current=True).first()
    key = (row.preview_key if kind == "preview" else row.poster_key) if row else ""
    if not key or not default_storage.exists(key):
        raise Http404
    offloaded = offload(key, content_type=MEDIA_KINDS[kind])
    if offloaded is not None:
        return offloaded
    size = default_storage.size(key)
    handle = default_storage.open(key, "rb")
    match = RANGE.match(request.headers.get("Range", ""))
    if match and size and (match.group(1) or match.group(2)):
        start, end = _byte_range(match.group(1), match.group(2), size)
        if start >= size or start > end:
            handle.close()
            response: HttpResponseBase = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle.seek(start)
        response = StreamingHttpResponse(
            _read(handle, end - start + 1), status=206, content_type=MEDIA_KINDS[kind]
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(handle, content_type=MEDIA_KINDS[kind])
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
@require_GET
def attachment(request: HttpRequest, story_id: int, kind: str, item: int = 0) -> HttpResponseBase:
    """A story's photo or subtitles for the review page; staff only, never cached publicly."""
    row: StoryPhoto | StorySubtitle | None
    if kind == "photo":
        row = StoryPhoto.objects.filter(story_id=story_id, pk=item).first()
    elif kind == "subtitles":
        row = StorySubtitle.objects.filter(story_id=story_id).first()
    else:
        raise Http404
    if row is None or not default_storage.exists(row.storage_key):
        raise Http404
    offloaded = offload(row.storage_key, content_type=ATTACHMENT_TYPES[kind])
    if offloaded is not None:
        return offloaded
    response = FileResponse(
        default_storage.open(row.storage_key, "rb"), content_type=ATTACHMENT_TYPES[kind]
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _byte_range(first: str, last: str, size: int) -> tuple[int, int]:
    if not first:  # "bytes=-500": the last 500 bytes
        return max(size - int(last), 0), size - 1
    return int(first), min(int(last), size - 1) if last else size - 1


def _read(handle: Any, remaining: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
    try:
        while remaining > 0:
            data = handle.read(min(chunk, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()
