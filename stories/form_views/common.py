"""What every step shares: the step list, rendering a step, saving what parsed, moving on."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import abuse, selectors, services
from ..forms import HONEYPOT_FIELD, StepForm, step_missing
from ..models import ConsentText, Story
from ..services import REQUIRED_CONSENTS
from .session import DraftSession

RETURN_TO_CHECK = "pruefen"

STEPS: tuple[tuple[str, Any, str], ...] = (
    ("story", gettext_lazy("Geschichte"), "form:story"),
    ("video", gettext_lazy("Video"), "form:video"),
    ("people", gettext_lazy("Personen und Einwilligung"), "form:people"),
    ("check", gettext_lazy("Prüfen und senden"), "form:check"),
)
STEP_OF_FIELD = {
    "title": "story",
    "text": "story",
    "region_id": "story",
    "region_other": "story",
    "topic_id": "story",
    "video": "video",
    "video_language": "video",
    "consents": "people",
}

rate_limited_message = abuse.rate_limited_message


def consent_texts(language: str) -> dict[str, ConsentText]:
    texts: dict[str, ConsentText] = {}
    for purpose in REQUIRED_CONSENTS:
        text = selectors.consent_text_current(purpose=purpose, language=language)
        if text is not None:
            texts[purpose] = text
    return texts


def _complete_steps(draft: DraftSession, story: Story | None) -> set[str]:
    if story is None:
        return set()
    media = selectors.story_current_media(story=story)
    return {
        step
        for step in ("story", "video", "people")
        if not step_missing(
            step=step,
            story=story,
            media=media,
            minor_answered=draft.minor_answered,
            consents=draft.consents["given"],
        )
    }


def _steps(request: HttpRequest, current: str, story: Story | None) -> list[dict[str, Any]]:
    complete = _complete_steps(DraftSession(request), story)
    items = []
    for index, (key, label, url_name) in enumerate(STEPS):
        items.append(
            {
                "key": key,
                "label": label,
                "number": index + 1,
                "url": reverse(url_name),
                "current": key == current,
                "done": key in complete,
                "reachable": story is not None or index == 0,
            }
        )
    return items


def render_step(
    request: HttpRequest,
    step: str,
    template: str,
    form: StepForm,
    story: Story | None,
    *,
    status: int = 200,
    errors: list[tuple[str, str]] | None = None,
    **context: Any,
) -> HttpResponse:
    form.decorate()
    number = [key for key, _label, _url in STEPS].index(step) + 1
    label = dict((key, label) for key, label, _url in STEPS)[step]
    context.update(
        {
            "form": form,
            "story": story,
            "step": step,
            "steps": _steps(request, step, story),
            "step_number": number,
            "step_count": len(STEPS),
            "step_label": label,
            "errors": (form.error_list() if form.is_bound else []) + (errors or []),
            "honeypot": form[HONEYPOT_FIELD],
            "return_to_check": request.GET.get("zurueck") == RETURN_TO_CHECK
            or request.POST.get("zurueck") == RETURN_TO_CHECK,
        }
    )
    return render(request, template, context, status=status)


def save_step(form: StepForm, story: Story, request: HttpRequest) -> Story:
    """Save whatever parsed; fields the service refuses keep their error and are skipped."""
    data = form.parsed()
    data["language"] = request.LANGUAGE_CODE
    try:
        return services.story_update_draft(story=story, data=data)
    except ValidationError as exc:
        errors = exc.message_dict
        form.add_errors(errors)
        rest = {name: value for name, value in data.items() if name not in errors}
        try:
            return services.story_update_draft(story=story, data=rest)
        except ValidationError:
            return story


def next_step(request: HttpRequest, url_name: str) -> HttpResponse:
    if request.POST.get("zurueck") == RETURN_TO_CHECK:
        return redirect("form:check")
    return redirect(url_name)


def no_draft(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Bitte beginnen Sie mit Ihrer Geschichte."))
    return redirect("form:story")
