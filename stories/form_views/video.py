"""Step 2: the video (tus with JavaScript, a plain file POST without), its language, and the
optional photos and subtitles; ``video_state`` is what submit.js polls after the upload."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kernel.media_errors import max_duration_minutes

from .. import abuse, attachments, selectors, subtitles
from ..forms import VideoStepForm, step_missing
from ..models import Story, StoryMedia, StorySubtitle
from ..upload_tokens import story_upload_token
from ..uploads import selectors as upload_selectors
from ..uploads import services as upload_services
from ..uploads import tus
from ..uploads.models import Upload
from .common import next_step, no_draft, rate_limited_message, render_step, save_step
from .session import DraftSession

logger = logging.getLogger("stories.form_views")


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
        "max_duration_seconds": settings.MEDIA_MAX_DURATION_SECONDS,
        "max_duration_minutes": max_duration_minutes(),
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
        form.add_error("video", rate_limited_message(int(exc.extra.get("retry_after", 60))))
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
    story = DraftSession(request).story()
    if story is None:
        return no_draft(request)
    if request.method == "GET":
        form = VideoStepForm(initial={"video_language": story.video_language})
        return render_step(
            request, "video", template, form, story, **_video_context(request, story)
        )

    form = VideoStepForm(request.POST, request.FILES)
    if abuse.honeypot_caught(request=request, filled=form.honeypot_filled(), step="video"):
        return redirect("form:people")
    if request.POST.get("remove_photo"):
        with contextlib.suppress(ValueError):
            attachments.story_remove_photo(story=story, photo_id=int(request.POST["remove_photo"]))
        return redirect("form:video")
    story = save_step(form, story, request)
    _attach_without_js(request, story, form)
    _attach_extras(request, story, form)
    if request.POST.get("go") == "back" and not form.errors:
        return redirect("form:story")
    missing = step_missing(
        step="video", story=story, media=selectors.story_current_media(story=story)
    )
    form.add_errors({k: v for k, v in missing.items() if k not in form.errors})
    if form.errors:
        return render_step(
            request, "video", template, form, story, **_video_context(request, story)
        )
    return next_step(request, "form:people")


@never_cache
@require_GET
def video_state(request: HttpRequest) -> JsonResponse:
    """The processing state of the draft's video, polled by submit.js after the upload."""
    story = DraftSession(request).story()
    if story is None:
        return JsonResponse({"message": _("Kein Entwurf gefunden.")}, status=404)
    media = selectors.story_current_media(story=story)
    body: dict[str, Any] = {"media": None}
    if media is not None:
        body["media"] = {
            "state": media.state,
            "label": media.get_state_display(),
            "percent": media.progress_percent,
            "message": media.failure_text if media.state == StoryMedia.State.FAILED else "",
            "filename": media.upload.metadata.get("filename", ""),
        }
    return JsonResponse(body)
