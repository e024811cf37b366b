"""Step 4: everything at a glance with "ändern" links; sending calls ``story_submit``.
Then the thanks page, which asks to confirm the e-mail address (double opt-in)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kernel.errors import ApplicationError, ConflictError

from .. import abuse, selectors, services
from ..forms import (
    VIDEO_LANGUAGES,
    CheckStepForm,
    PeopleStepForm,
    StoryStepForm,
    VideoStepForm,
)
from ..links import status_token
from ..models import ConsentText, Story, StorySubtitle
from ..services import REQUIRED_CONSENTS
from .common import (
    RETURN_TO_CHECK,
    STEP_OF_FIELD,
    consent_texts,
    no_draft,
    rate_limited_message,
    render_step,
)
from .session import DraftSession


def _summary(request: HttpRequest, story: Story) -> dict[str, Any]:
    media = selectors.story_current_media(story=story)
    stored = DraftSession(request).consents
    texts = consent_texts(story.language)
    video_languages = dict(VIDEO_LANGUAGES)
    return {
        "photos": list(story.photos.all()),
        "subtitle": StorySubtitle.objects.filter(story=story).first(),
        "media": media,
        "media_filename": media.upload.metadata.get("filename", "") if media else "",
        "region_name": (
            (story.region_other or _("Andere Region"))
            if story.region and story.region.is_other
            else (story.region.name if story.region else "")
        ),
        "topic_name": story.topic.display_name if story.topic else "",
        "video_language_name": video_languages.get(story.video_language, ""),
        "role_name": story.get_submitter_role_display() if story.submitter_role else "",
        "credit_name": story.get_credit_display() if story.credit else "",
        "minor_answered": DraftSession(request).minor_answered,
        "consents": [texts[p] for p in REQUIRED_CONSENTS if p in stored["given"] and p in texts],
        "consents_complete": all(p in stored["given"] for p in REQUIRED_CONSENTS),
    }


def _field_label(name: str) -> str:
    """The label the person saw for ``name`` on its step, so each error says which field."""
    for form_class in (StoryStepForm, VideoStepForm, PeopleStepForm):
        field = form_class.base_fields.get(name)
        if field is not None and field.label:
            return str(field.label)
    return {"consents": _("Einwilligungen"), "video": _("Video")}.get(name, "")


def _submit_errors(errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Errors of ``story_submit`` as (link to the field on its step, "Label: message")."""
    items = []
    for name, messages_ in errors.items():
        step = STEP_OF_FIELD.get(name, "people")
        url = reverse(f"form:{step}")
        anchor = {
            "consents": f"id_consent_{REQUIRED_CONSENTS[0]}",
            "submitter_role": "id_submitter_role_0",
            "credit": "id_credit_0",
        }.get(name, f"id_{name}")
        label = _field_label(name)
        for message in messages_:
            text = _("%(field)s: %(message)s") % {"field": label, "message": message}
            items.append((f"{url}?zurueck={RETURN_TO_CHECK}#{anchor}", text if label else message))
    return items


@never_cache
@require_http_methods(["GET", "POST"])
def check_step(request: HttpRequest) -> HttpResponse:
    """Step 4: everything at a glance with "ändern" links; sending calls ``story_submit``."""
    template = "stories/form/step_check.html"
    draft = DraftSession(request)
    story = draft.story()
    if story is None:
        return no_draft(request)
    if request.method == "GET":
        return render_step(
            request, "check", template, CheckStepForm(), story, **_summary(request, story)
        )

    form = CheckStepForm(request.POST)
    if abuse.honeypot_caught(request=request, filled=form.honeypot_filled(), step="check"):
        draft.mark_sent("")
        return redirect("form:thanks")
    wait = abuse.form_submit_rate_exceeded(request=request)
    if wait is not None:
        form.is_valid()
        form.add_error(None, rate_limited_message(wait))
        return render_step(
            request, "check", template, form, story, status=429, **_summary(request, story)
        )
    # The service checks that the texts shown (kept in the session) are still the current ones.
    stored = draft.consents
    shown = ConsentText.objects.in_bulk(list(stored["texts"].values()))
    errors: list[tuple[str, str]] = []
    try:
        story = services.story_submit(
            story=story,
            consents=stored["given"],
            consent_language=stored.get("language") or story.language,
            consent_versions={
                purpose: shown[pk].version for purpose, pk in stored["texts"].items() if pk in shown
            },
        )
    except ValidationError as exc:
        errors = _submit_errors(exc.message_dict)
    except services.ConsentTextsChanged as exc:
        people = reverse("form:people") + f"?zurueck={RETURN_TO_CHECK}#id_consent_publication"
        errors = [(people, exc.message)]
    except ConflictError as exc:
        errors = [("", exc.message)]
    except ApplicationError as exc:  # the shown versions are missing: ask for them again
        people = reverse("form:people") + f"?zurueck={RETURN_TO_CHECK}#id_consent_publication"
        errors = [(people, exc.message)]
    if errors:
        form.is_valid()
        return render_step(
            request, "check", template, form, story, errors=errors, **_summary(request, story)
        )
    email = story.submitter_email
    draft.forget()
    if story.status == Story.Status.IN_REVIEW:  # an answer to a change request
        messages.success(request, _("Danke! Ihre Änderungen sind angekommen und werden geprüft."))
        return redirect("stories:status", status_token(public_id=str(story.public_id)))
    draft.mark_sent(email)
    return redirect("form:thanks")


@never_cache
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    """After sending: ask to confirm the e-mail address (double opt-in)."""
    draft = DraftSession(request)
    if not draft.was_sent:
        return redirect("form:story")
    return render(request, "stories/form/thanks.html", {"email": draft.sent_to})
