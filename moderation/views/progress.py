"""Live processing progress for the queue: the current video job of the listed stories."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from stories import selectors as story_selectors

from .access import staff_required

MAX_IDS = 100


@staff_required
@never_cache
@require_GET
def media_progress(request: HttpRequest) -> JsonResponse:
    ids = [int(part) for part in request.GET.get("ids", "").split(",")[:MAX_IDS] if part.isdigit()]
    jobs = story_selectors.media_progress_of(story_ids=ids)
    return JsonResponse(
        {
            str(story_id): {
                "state": "stuck" if story_selectors.media_is_stuck(media=media) else media.state,
                "label": str(media.get_state_display()),
                "percent": round(float(media.progress_percent or 0)),
                "eta_seconds": round(media.eta_seconds) if media.eta_seconds else None,
            }
            for story_id, media in jobs.items()
        }
    )
