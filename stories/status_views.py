"""The private status page behind the link in the e-mail, and its live progress.

The page tells the whole way of the story (``stories.timeline``): received, address
confirmed, video processed (with live progress while it runs), in review, approved,
published with the video's address, or where and why it stopped. A change request shows the
moderators' message with a reply box and the way into the form; withdrawal is always one
confirmed click away. Pages opened from an e-mail speak the e-mail's language.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kernel.errors import ApplicationError, ConflictError

from . import selectors, services
from .form_views import open_for_revision
from .link_language import speaks_link_language
from .links import LANGUAGE_PARAMETER, status_token
from .models import Story, StoryMedia
from .replies import REPLY_MAX_LENGTH, story_reply_to_change_request
from .timeline import story_timeline
from .transitions import can_transition

CONFIRMED_PARAMETER = "bestaetigt"


@speaks_link_language
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The double opt-in link from the e-mail: confirm, then say so on the status page."""
    story = selectors.story_by_confirm_token(token=token)
    if story is None:
        return render(request, "stories/link_invalid.html", status=404)
    story = services.story_confirm_email(story=story)
    url = reverse("stories:status", args=[status_token(public_id=str(story.public_id))])
    query = {CONFIRMED_PARAMETER: "1", LANGUAGE_PARAMETER: request.LANGUAGE_CODE}
    return redirect(f"{url}?{urlencode(query)}")


def _story_or_none(token: str) -> Story | None:
    story = selectors.story_by_status_token(token=token)
    if story is None or story.status == Story.Status.ERASED:
        return None
    return story


@never_cache
@speaks_link_language
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, token: str) -> HttpResponse:
    story = _story_or_none(token)
    if story is None:
        return render(request, "stories/link_invalid.html", status=404)
    action = request.POST.get("action") if request.method == "POST" else None
    reply_error = ""
    if action == "edit":
        try:
            edit_token = services.story_grant_edit_access(story=story)
        except ConflictError:
            return redirect(request.path)  # answered already: the page shows the status
        open_for_revision(request, story=story, token=edit_token)
        return redirect("form:story")
    if action == "withdraw":
        if request.POST.get("confirm") != "yes":
            raise Http404
        services.story_withdraw(story=story, comment="status page")
        return redirect(request.path)
    reply_text = request.POST.get("reply", "") if action == "reply" else ""
    if action == "reply":
        try:
            story_reply_to_change_request(story_id=story.pk, text=reply_text)
        except ApplicationError as exc:
            reply_error = exc.message
        else:
            return redirect(f"{request.path}?{urlencode({'antwort': '1'})}")
    media = selectors.story_current_media(story=story)
    stuck = media is not None and selectors.media_is_stuck(media=media)
    context = {
        "story": story,
        "status_words": selectors.story_status_for_submitter(story=story),
        "timeline": story_timeline(story=story, media=media),
        "media": media,
        "media_stuck": stuck,
        # The same words the live progress sends, so the page reads alike before and after.
        "media_words": _progress_words(media, stuck=stuck) if media is not None else "",
        "progress_url": reverse("stories:status_progress", args=[token]),
        "just_confirmed": request.GET.get(CONFIRMED_PARAMETER) == "1"
        and story.email_confirmed_at is not None,
        "reply_sent": request.GET.get("antwort") == "1",
        "reply_error": reply_error,
        "reply_text": reply_text if reply_error else "",  # a refused answer is not lost
        "reply_max_length": REPLY_MAX_LENGTH,
        "can_withdraw": can_transition(story, Story.Status.WITHDRAWN),
    }
    return render(request, "stories/status.html", context, status=400 if reply_error else 200)


@never_cache
@require_GET
def status_progress(request: HttpRequest, token: str) -> JsonResponse:
    """The video's processing state for the status page's live progress (polled)."""
    story = _story_or_none(token)
    if story is None:
        raise Http404
    media = selectors.story_current_media(story=story)
    if media is None:
        return JsonResponse({"state": "none"})
    stuck = selectors.media_is_stuck(media=media)
    running = media.state not in (StoryMedia.State.READY, StoryMedia.State.FAILED)
    return JsonResponse(
        {
            "state": "stuck" if stuck else media.state,
            "percent": round(float(media.progress_percent or 0), 1),
            "eta_seconds": round(media.eta_seconds) if running and media.eta_seconds else None,
            "done": not running,
            "words": _progress_words(media, stuck=stuck),
        }
    )


def _progress_words(media: StoryMedia, *, stuck: bool) -> str:
    if media.state == StoryMedia.State.READY:
        return _("Das Video ist verarbeitet.")
    if media.state == StoryMedia.State.FAILED:
        return media.failure_text
    if stuck:
        return _(
            "Die Verarbeitung Ihres Videos ist ins Stocken geraten. Sie wird automatisch neu "
            "gestartet – Sie müssen nichts tun."
        )
    if media.state == StoryMedia.State.TRANSCODING:
        return _("Das Video wird verarbeitet (%(p)s %%).") % {
            "p": f"{float(media.progress_percent or 0):.0f}"
        }
    return _("Das Video wartet auf die Verarbeitung.")
