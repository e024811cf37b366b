"""Step 3: who sends, how to credit, the age question and the four consents."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import abuse
from ..forms import PeopleStepForm, step_missing
from .common import consent_texts, next_step, no_draft, render_step, save_step
from .session import DraftSession


@never_cache
@require_http_methods(["GET", "POST"])
def people_step(request: HttpRequest) -> HttpResponse:
    """Step 3: who sends, how to credit, the age question and the four consents."""
    template = "stories/form/step_people.html"
    draft = DraftSession(request)
    story = draft.story()
    if story is None:
        return no_draft(request)
    texts = consent_texts(request.LANGUAGE_CODE)
    if request.method == "GET":
        stored = draft.consents
        initial: dict[str, Any] = {
            name: getattr(story, name)
            for name in (
                "submitter_name",
                "submitter_email",
                "submitter_organisation",
                "submitter_role",
                "credit",
                "credit_pseudonym",
                "guardian_name",
                "guardian_email",
            )
        }
        if draft.minor_answered:
            initial["has_minor"] = "yes" if story.has_minor else "no"
        current_ids = {p: t.pk for p, t in texts.items()}
        for purpose in stored["given"]:
            if stored["texts"].get(purpose) == current_ids.get(purpose):
                initial[f"consent_{purpose}"] = True
        form = PeopleStepForm(initial=initial, consent_texts=texts)
        return render_step(request, "people", template, form, story)

    form = PeopleStepForm(request.POST, consent_texts=texts)
    if abuse.honeypot_caught(request=request, filled=form.honeypot_filled(), step="people"):
        return redirect("form:check")
    story = save_step(form, story, request)
    if "has_minor" in form.parsed():
        draft.mark_minor_answered()
    given = form.consents_given()
    draft.store_consents(
        given=given,
        texts={p: texts[p].pk for p in given if p in texts},
        language=request.LANGUAGE_CODE,
    )
    if request.POST.get("go") == "back" and not form.errors:
        return redirect("form:video")
    missing = step_missing(
        step="people",
        story=story,
        minor_answered=draft.minor_answered,
        consents=given,
    )
    form.add_errors({k: v for k, v in missing.items() if k not in form.errors})
    if form.errors:
        return render_step(request, "people", template, form, story)
    return next_step(request, "form:check")
