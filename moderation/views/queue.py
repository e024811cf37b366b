"""The queue page and its bulk actions."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
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
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": _mark_stuck(selectors.story_queue_rows(ids=list(page.object_list)), now),
        "count_rows": [
            (code, Story.Status(code).label, n)
            for code, n in selectors.story_status_counts().items()
        ],
        "nav": "queue",
        "reviewers": list(selectors.reviewers()) if user_may(request.user, "assign") else [],
        "may_bulk": user_may(request.user, "reject"),
        "now": now,
        # Row fragments are keyed by the minute: the "waiting since" column stays right.
        "minute": now.strftime("%Y%m%d%H%M"),
    }
    return render(request, "moderation/queue.html", context)


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
