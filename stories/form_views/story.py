"""Step 1: title, text, region, topic. The first save creates the draft."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import abuse, services
from ..forms import StoryStepForm, step_missing
from .common import next_step, rate_limited_message, render_step, save_step
from .session import DraftSession


@never_cache
@require_http_methods(["GET", "POST"])
def story_step(request: HttpRequest) -> HttpResponse:
    """Step 1: title, text, region, topic. The first save creates the draft."""
    template = "stories/form/step_story.html"
    draft = DraftSession(request)
    story = draft.story()
    if request.method == "GET":
        draft.remember_ref(request.GET.get("ref", ""))
        initial = {}
        if story is not None:
            initial = {
                "title": story.title,
                "text": story.text,
                "region_id": story.region_id,
                "region_other": story.region_other,
                "topic_id": story.topic_id,
            }
        return render_step(request, "story", template, StoryStepForm(initial=initial), story)

    form = StoryStepForm(request.POST)
    if abuse.honeypot_caught(request=request, filled=form.honeypot_filled(), step="story"):
        return redirect("form:video")
    if story is None:
        wait = abuse.form_draft_rate_exceeded(request=request)
        if wait is not None:
            form.is_valid()
            form.add_error(None, rate_limited_message(wait))
            return render_step(request, "story", template, form, None, status=429)
        story, token = services.story_create_draft(
            language=request.LANGUAGE_CODE, partner_ref=draft.ref
        )
        draft.start(story=story, token=token)
    story = save_step(form, story, request)
    form.add_errors(
        {k: v for k, v in step_missing(step="story", story=story).items() if k not in form.errors}
    )
    if form.errors:
        return render_step(request, "story", template, form, story)
    return next_step(request, "form:video")
