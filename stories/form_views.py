"""The supporter-facing submission form at /mitmachen/, one view per step.

Every step works as a plain HTML form POST; ``static/js/submit.js`` adds the resumable tus
upload, its progress and the character counter. The draft is created on the first save;
its private token and public id live in the server session, so a reload (or coming back
later in the same browser) finds the draft again. Views parse with ``stories.forms`` and
write only through ``stories.services``.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kernel.errors import ApplicationError, ConflictError

from . import abuse, attachments, selectors, services, subtitles
from .forms import (
    HONEYPOT_FIELD,
    VIDEO_LANGUAGES,
    CheckStepForm,
    PeopleStepForm,
    StepForm,
    StoryStepForm,
    VideoStepForm,
    step_missing,
)
from .links import status_token
from .models import ConsentText, Story, StoryMedia, StorySubtitle
from .services import REQUIRED_CONSENTS
from .upload_tokens import story_upload_token
from .uploads import selectors as upload_selectors
from .uploads import services as upload_services
from .uploads import tus
from .uploads.models import Upload

logger = logging.getLogger(__name__)

SESSION_TOKEN = "zm_form_token"  # noqa: S105 - a session key, not a secret
SESSION_STORY = "zm_form_story"
SESSION_REF = "zm_form_ref"
SESSION_CONSENTS = "zm_form_consents"
SESSION_MINOR = "zm_form_minor_answered"
SESSION_SENT = "zm_form_sent"
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


# --- Session and draft ----------------------------------------------------------------------
def _draft(request: HttpRequest) -> Story | None:
    """The editable draft of this browser session, if any."""
    token = request.session.get(SESSION_TOKEN)
    if not token:
        return None
    story = selectors.story_by_access_token(token=token)
    if story is None or str(story.public_id) != request.session.get(SESSION_STORY):
        return None
    if story.status not in (Story.Status.DRAFT, Story.Status.CHANGES_REQUESTED):
        return None
    return story


def open_for_revision(request: HttpRequest, *, story: Story, token: str) -> None:
    """Put a story with a change request into this browser's form, consents as given."""
    request.session[SESSION_TOKEN] = token
    request.session[SESSION_STORY] = str(story.public_id)
    request.session[SESSION_MINOR] = True
    given = {
        record.purpose: record.consent_text_id
        for record in story.consents.filter(granted=True, subject="submitter")
    }
    request.session[SESSION_CONSENTS] = {"given": list(given), "texts": given}


def _forget_draft(request: HttpRequest) -> None:
    for key in (SESSION_TOKEN, SESSION_STORY, SESSION_CONSENTS, SESSION_MINOR, SESSION_REF):
        request.session.pop(key, None)


def _remember_ref(request: HttpRequest) -> None:
    ref = request.GET.get("ref", "").strip()[:40]
    if ref and _draft(request) is None:
        request.session[SESSION_REF] = ref


def _consent_texts(language: str) -> dict[str, ConsentText]:
    texts: dict[str, ConsentText] = {}
    for purpose in REQUIRED_CONSENTS:
        text = selectors.consent_text_current(purpose=purpose, language=language)
        if text is not None:
            texts[purpose] = text
    return texts


def _stored_consents(request: HttpRequest) -> dict[str, Any]:
    value = request.session.get(SESSION_CONSENTS)
    return value if isinstance(value, dict) else {"given": [], "texts": {}}


# --- Rendering ------------------------------------------------------------------------------
def _complete_steps(request: HttpRequest, story: Story | None) -> set[str]:
    if story is None:
        return set()
    media = selectors.story_current_media(story=story)
    stored = _stored_consents(request)
    return {
        step
        for step in ("story", "video", "people")
        if not step_missing(
            step=step,
            story=story,
            media=media,
            minor_answered=bool(request.session.get(SESSION_MINOR)),
            consents=stored["given"],
        )
    }


def _steps(request: HttpRequest, current: str, story: Story | None) -> list[dict[str, Any]]:
    complete = _complete_steps(request, story)
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


def _render(
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


_rate_limited_message = abuse.rate_limited_message


def _save(form: StepForm, story: Story, request: HttpRequest) -> Story:
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


def _next(request: HttpRequest, url_name: str) -> HttpResponse:
    if request.POST.get("zurueck") == RETURN_TO_CHECK:
        return redirect("form:check")
    return redirect(url_name)


def _no_draft(request: HttpRequest) -> HttpResponse:
    messages.info(request, _("Bitte beginnen Sie mit Ihrer Geschichte."))
    return redirect("form:story")


# --- Steps ----------------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def story_step(request: HttpRequest) -> HttpResponse:
    """Step 1: title, text, region, topic. The first save creates the draft."""
    template = "stories/form/step_story.html"
    story = _draft(request)
    if request.method == "GET":
        _remember_ref(request)
        initial = {}
        if story is not None:
            initial = {
                "title": story.title,
                "text": story.text,
                "region_id": story.region_id,
                "region_other": story.region_other,
                "topic_id": story.topic_id,
            }
        return _render(request, "story", template, StoryStepForm(initial=initial), story)

    form = StoryStepForm(request.POST)
    if abuse.honeypot_caught(request=request, filled=form.honeypot_filled(), step="story"):
        return redirect("form:video")
    if story is None:
        wait = abuse.form_draft_rate_exceeded(request=request)
        if wait is not None:
            form.is_valid()
            form.add_error(None, _rate_limited_message(wait))
            return _render(request, "story", template, form, None, status=429)
        story, token = services.story_create_draft(
            language=request.LANGUAGE_CODE, partner_ref=request.session.get(SESSION_REF, "")
        )
        request.session[SESSION_TOKEN] = token
        request.session[SESSION_STORY] = str(story.public_id)
    story = _save(form, story, request)
    form.add_errors(
        {k: v for k, v in step_missing(step="story", story=story).items() if k not in form.errors}
    )
    if form.errors:
        return _render(request, "story", template, form, story)
    return _next(request, "form:video")


def _video_context(request: HttpRequest, story: Story) -> dict[str, Any]:
    media = selectors.story_current_media(story=story)
    upload = selectors.story_latest_upload(story=story)
    interrupted = None
    if (
        upload is not None
        and upload.state == Upload.State.RECEIVING
        and upload.length
        and not upload_selectors.upload_is_expired(upload=upload)
    ):
        interrupted = {
            "filename": upload.metadata.get("filename", ""),
            "percent": int(upload.offset * 100 / upload.length),
        }
    return {
        "photos": list(story.photos.all()),
        "subtitle": StorySubtitle.objects.filter(story=story).first(),
        "media": media,
        "media_filename": media.upload.metadata.get("filename", "") if media else "",
        "interrupted": interrupted,
        "upload_endpoint": reverse("api:uploads:collection"),
        # For submit.js's Upload-Token header; derived again on every render from the
        # draft this session holds, so a reload can resume (never put into a URL).
        "upload_token": story_upload_token(story=story),
        "upload_chunk_size": settings.FORM_UPLOAD_CHUNK_BYTES,
        "upload_max_bytes": settings.UPLOAD_MAX_BYTES,
        "state_url": reverse("form:video_state"),
        "js_messages": _upload_messages(),
    }


def _upload_messages() -> dict[str, str]:
    """Words for submit.js, in the UI language; ``%(percent)s`` is filled in by the script."""
    return {
        "starting": _("Das Hochladen beginnt …"),
        "uploading": _("Wird hochgeladen: %(percent)s %%"),
        "resuming": _("Es geht an der unterbrochenen Stelle weiter: %(percent)s %%"),
        "paused": _(
            "Pausiert – die Verbindung ist unterbrochen. Es geht automatisch weiter, "
            "sobald die Verbindung wieder da ist."
        ),
        "checking": _("Hochgeladen. Die Datei wird geprüft …"),
        "processing": _("Das Video wird verarbeitet: %(percent)s %%"),
        "waiting": _("Hochgeladen. Das Video wartet auf die Verarbeitung."),
        "ready": _("Fertig: Das Video ist hochgeladen und verarbeitet."),
        "failed": _("Das Hochladen hat nicht geklappt. Bitte versuchen Sie es noch einmal."),
        "retry": _("Noch einmal versuchen"),
        "too_large": _("Die Datei ist zu groß. Bitte wählen Sie ein kürzeres Video."),
        "not_video": _("Diese Datei ist kein Video. Bitte wählen Sie eine Videodatei."),
        "wait": _("Bitte warten Sie, bis das Video ganz hochgeladen ist."),
        "another": _("Sie können eine andere Datei auswählen."),
    }


def _attach_without_js(request: HttpRequest, story: Story, form: VideoStepForm) -> None:
    """The fallback without JavaScript: the file came in the POST; store it like tus does."""
    file = request.FILES.get("video")
    if file is None:
        return
    metadata = {
        "filename": (file.name or "")[:200],
        "filetype": (file.content_type or "")[:100],
        "lang": request.LANGUAGE_CODE,
    }
    token = story_upload_token(story=story)
    try:
        upload = upload_services.upload_create(
            length=file.size or 0,
            metadata=metadata,
            token=token,
            client_ip=request.META.get("REMOTE_ADDR", ""),
        )
        upload = upload_services.upload_append(
            upload_id=upload.id, token=token, offset=0, content_length=file.size or 0, stream=file
        )
    except tus.TooLarge:
        form.add_error("video", _("Die Datei ist zu groß. Bitte wählen Sie ein kürzeres Video."))
        return
    except tus.RateLimited as exc:
        form.add_error("video", _rate_limited_message(int(exc.extra.get("retry_after", 60))))
        return
    except tus.TusError:
        logger.exception("form upload without JavaScript failed for story %s", story.pk)
        form.add_error(
            "video", _("Das Hochladen hat nicht geklappt. Bitte versuchen Sie es noch einmal.")
        )
        return
    rejection = upload_selectors.upload_rejection(upload=upload)
    if rejection is not None:
        form.add_error("video", rejection.message)


def _attach_extras(request: HttpRequest, story: Story, form: VideoStepForm) -> None:
    """Optional photos and subtitles from the same POST; each refusal becomes a field error."""
    for photo in request.FILES.getlist("photos"):
        try:
            attachments.story_add_photo(story=story, file=photo, size=photo.size or 0)
        except ValidationError as exc:
            for message in exc.message_dict.get("photos", []):
                form.add_error("photos", message)
            break
    subtitle_file = request.FILES.get("subtitles")
    if subtitle_file is not None:
        language = request.POST.get("subtitle_language") or story.video_language
        if not language:
            form.add_error("subtitle_language", _("Bitte wählen Sie die Sprache der Untertitel."))
            return
        try:
            attachments.story_set_subtitles(
                story=story, raw=subtitle_file.read(subtitles.MAX_BYTES + 1), language=language
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("subtitles", []):
                form.add_error("subtitles", message)


@never_cache
@require_http_methods(["GET", "POST"])
def video_step(request: HttpRequest) -> HttpResponse:
    """Step 2: the video (tus with JavaScript, a plain file POST without) and its language."""
    template = "stories/form/step_video.html"
    story = _draft(request)
    if story is None:
        return _no_draft(request)
    if request.method == "GET":
        form = VideoStepForm(initial={"video_language": story.video_language})
        return _render(request, "video", template, form, story, **_video_context(request, story))

    form = VideoStepForm(request.POST, request.FILES)
    if abuse.honeypot_caught(request=request, filled=form.honeypot_filled(), step="video"):
        return redirect("form:people")
    if request.POST.get("remove_photo"):
        with contextlib.suppress(ValueError):
            attachments.story_remove_photo(story=story, photo_id=int(request.POST["remove_photo"]))
        return redirect("form:video")
    story = _save(form, story, request)
    _attach_without_js(request, story, form)
    _attach_extras(request, story, form)
    if request.POST.get("go") == "back" and not form.errors:
        return redirect("form:story")
    missing = step_missing(
        step="video", story=story, media=selectors.story_current_media(story=story)
    )
    form.add_errors({k: v for k, v in missing.items() if k not in form.errors})
    if form.errors:
        return _render(request, "video", template, form, story, **_video_context(request, story))
    return _next(request, "form:people")


@never_cache
@require_GET
def video_state(request: HttpRequest) -> JsonResponse:
    """The processing state of the draft's video, polled by submit.js after the upload."""
    story = _draft(request)
    if story is None:
        return JsonResponse({"message": _("Kein Entwurf gefunden.")}, status=404)
    media = selectors.story_current_media(story=story)
    body: dict[str, Any] = {"media": None}
    if media is not None:
        body["media"] = {
            "state": media.state,
            "label": media.get_state_display(),
            "percent": media.progress_percent,
            "message": media.failure_message if media.state == StoryMedia.State.FAILED else "",
            "filename": media.upload.metadata.get("filename", ""),
        }
    return JsonResponse(body)


@never_cache
@require_http_methods(["GET", "POST"])
def people_step(request: HttpRequest) -> HttpResponse:
    """Step 3: who sends, how to credit, the age question and the four consents."""
    template = "stories/form/step_people.html"
    story = _draft(request)
    if story is None:
        return _no_draft(request)
    texts = _consent_texts(request.LANGUAGE_CODE)
    if request.method == "GET":
        stored = _stored_consents(request)
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
        if request.session.get(SESSION_MINOR):
            initial["has_minor"] = "yes" if story.has_minor else "no"
        current_ids = {p: t.pk for p, t in texts.items()}
        for purpose in stored["given"]:
            if stored["texts"].get(purpose) == current_ids.get(purpose):
                initial[f"consent_{purpose}"] = True
        form = PeopleStepForm(initial=initial, consent_texts=texts)
        return _render(request, "people", template, form, story)

    form = PeopleStepForm(request.POST, consent_texts=texts)
    if abuse.honeypot_caught(request=request, filled=form.honeypot_filled(), step="people"):
        return redirect("form:check")
    story = _save(form, story, request)
    if "has_minor" in form.parsed():
        request.session[SESSION_MINOR] = True
    given = form.consents_given()
    request.session[SESSION_CONSENTS] = {
        "given": given,
        "texts": {p: texts[p].pk for p in given if p in texts},
        "language": request.LANGUAGE_CODE,
    }
    if request.POST.get("go") == "back" and not form.errors:
        return redirect("form:video")
    missing = step_missing(
        step="people",
        story=story,
        minor_answered=bool(request.session.get(SESSION_MINOR)),
        consents=given,
    )
    form.add_errors({k: v for k, v in missing.items() if k not in form.errors})
    if form.errors:
        return _render(request, "people", template, form, story)
    return _next(request, "form:check")


def _summary(request: HttpRequest, story: Story) -> dict[str, Any]:
    media = selectors.story_current_media(story=story)
    stored = _stored_consents(request)
    texts = _consent_texts(story.language)
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
        "minor_answered": bool(request.session.get(SESSION_MINOR)),
        "consents": [texts[p] for p in REQUIRED_CONSENTS if p in stored["given"] and p in texts],
        "consents_complete": all(p in stored["given"] for p in REQUIRED_CONSENTS),
    }


def _submit_errors(errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Errors of ``story_submit`` as (link to the field on its step, message)."""
    items = []
    for name, messages_ in errors.items():
        step = STEP_OF_FIELD.get(name, "people")
        url = reverse(f"form:{step}")
        anchor = {
            "consents": f"id_consent_{REQUIRED_CONSENTS[0]}",
            "submitter_role": "id_submitter_role_0",
            "credit": "id_credit_0",
        }.get(name, f"id_{name}")
        for message in messages_:
            items.append((f"{url}?zurueck={RETURN_TO_CHECK}#{anchor}", message))
    return items


@never_cache
@require_http_methods(["GET", "POST"])
def check_step(request: HttpRequest) -> HttpResponse:
    """Step 4: everything at a glance with "ändern" links; sending calls ``story_submit``."""
    template = "stories/form/step_check.html"
    story = _draft(request)
    if story is None:
        return _no_draft(request)
    if request.method == "GET":
        return _render(
            request, "check", template, CheckStepForm(), story, **_summary(request, story)
        )

    form = CheckStepForm(request.POST)
    if abuse.honeypot_caught(request=request, filled=form.honeypot_filled(), step="check"):
        request.session[SESSION_SENT] = ""
        return redirect("form:thanks")
    wait = abuse.form_submit_rate_exceeded(request=request)
    if wait is not None:
        form.is_valid()
        form.add_error(None, _rate_limited_message(wait))
        return _render(
            request, "check", template, form, story, status=429, **_summary(request, story)
        )
    # The service checks that the texts shown (kept in the session) are still the current ones.
    stored = _stored_consents(request)
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
        return _render(
            request, "check", template, form, story, errors=errors, **_summary(request, story)
        )
    email = story.submitter_email
    _forget_draft(request)
    if story.status == Story.Status.IN_REVIEW:  # an answer to a change request
        messages.success(request, _("Danke! Ihre Änderungen sind angekommen und werden geprüft."))
        return redirect("stories:status", status_token(public_id=str(story.public_id)))
    request.session[SESSION_SENT] = email
    return redirect("form:thanks")


@never_cache
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    """After sending: ask to confirm the e-mail address (double opt-in)."""
    if SESSION_SENT not in request.session:
        return redirect("form:story")
    return render(
        request, "stories/form/thanks.html", {"email": request.session.get(SESSION_SENT, "")}
    )


@require_GET
def easy_language(request: HttpRequest) -> HttpResponse:
    """A short introduction in Leichte Sprache (easy German)."""
    return render(request, "stories/form/easy_language.html")
