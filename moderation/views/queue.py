"""The queue page and its bulk actions."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from stories import selectors as story_selectors
from stories.models import Story

from .. import selectors, services
from ..forms import BulkForm, QueueFilterForm
from ..permissions import user_may
from .access import staff_required


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    filters = form.filters()
    now = timezone.now()
    stories = selectors.story_queue(filters=filters, user=request.user)
    page = Paginator(
        stories.values_list("pk", flat=True), settings.MODERATION_QUEUE_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = _mark_stuck(selectors.story_queue_rows(ids=list(page.object_list)), now)
    may_bulk = user_may(request.user, "reject")
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "row_fragments": row_fragments(rows, may_bulk=may_bulk, now=now),
        "count_rows": [
            (code, Story.Status(code).label, n)
            for code, n in selectors.story_status_counts().items()
        ],
        "nav": "queue",
        "reviewers": list(selectors.reviewers()) if user_may(request.user, "assign") else [],
        "may_bulk": may_bulk,
        "now": now,
    }
    return render(request, "moderation/queue.html", context)


ROW_TEMPLATE = "moderation/_queue_row.html"


def _current_media(story: Story) -> Any:
    """The row's video job, prefetched by ``story_queue_rows`` (``current_media``)."""
    jobs = getattr(story, "current_media", None)
    return jobs[0] if jobs else None


ROW_SECONDS = 600


def _row_key(story: Story, *, may_bulk: bool, now: Any) -> str:
    """Everything the row shows; the waiting time by the minute, so it stays right."""
    media = _current_media(story)
    shown = (
        story.pk, story.updated_at, story.status, story.status_changed_at, story.title,
        story.region_id, story.topic_id, story.language, story.video_language,
        story.has_minor, story.guardian_confirmed_at, story.revised,
        getattr(story, "live_approvals", None), getattr(story, "claim_active", None),
        getattr(story, "claim_holder_name", None), getattr(story, "assignee_name", None),
        media and media.state, media and media.progress_percent, media and media.stuck,
        may_bulk, now.strftime("%Y%m%d%H%M"), translation.get_language(),
    )  # fmt: skip
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return f"moderation:queue-row:{digest}"


def row_fragments(rows: list[Story], *, may_bulk: bool, now: Any) -> list[str]:
    """The rows' HTML: the unchanged ones from the cache in one ``get_many``, the rest rendered."""
    keys = [_row_key(story, may_bulk=may_bulk, now=now) for story in rows]
    cached = cache.get_many(keys)
    fresh: dict[str, str] = {}
    html = []
    for story, key in zip(rows, keys, strict=True):
        row = cached.get(key)
        if row is None:
            media = _current_media(story)
            context = {"story": story, "m": media, "may_bulk": may_bulk, "now": now}
            row = fresh[key] = render_to_string(ROW_TEMPLATE, context)
        html.append(mark_safe(row))  # noqa: S308 - our own template's output
    if fresh:
        cache.set_many(fresh, ROW_SECONDS)
    return html


def _mark_stuck(rows: list[Story], now: Any) -> list[Story]:
    """Flag each row's video job that nobody works on, so it never reads as in progress."""
    for story in rows:
        for media in getattr(story, "current_media", []):
            media.stuck = story_selectors.media_is_stuck(media=media, now=now)
    return rows


@staff_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie Geschichten und eine Sammelaktion."))
        return redirect(_back_to_queue(request))
    action = form.cleaned_data["action"]
    ids = form.cleaned_data["stories"]
    if action == "reject_spam":
        if not user_may(request.user, "reject"):
            raise PermissionDenied
        result = services.stories_reject_as_spam(story_ids=ids, actor=request.user)
        done = _("%(n)d als Spam abgelehnt.") % {"n": len(result.done)}
    else:
        if not user_may(request.user, "assign"):
            raise PermissionDenied
        try:
            result = services.stories_assign(
                story_ids=ids, actor=request.user, assignee_id=form.cleaned_data["assignee"]
            )
        except DjangoValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_back_to_queue(request))
        done = _("%(n)d zugewiesen.") % {"n": len(result.done)}
    messages.success(request, done)
    for story_id, reason in result.refused.items():
        messages.warning(request, _("Nr. %(id)d: %(reason)s") % {"id": story_id, "reason": reason})
    return redirect(_back_to_queue(request))


def _back_to_queue(request: HttpRequest) -> str:
    query = request.POST.get("query", "")
    base = reverse("moderation:queue")
    return f"{base}?{query}" if re.fullmatch(r"[\w%=&.+-]*", query) and query else base
