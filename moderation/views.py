"""The workspace pages at /moderation/: queue, review page, actions, media, audit log, 2FA.

Thin: each view reads through ``selectors``, writes through one ``services`` call, and
offers exactly what ``story_get_actions`` allows. A refused action answers 403 (the role
lacks it) or 409 (the story's state does not allow it now) with the page and a message.
"""

from __future__ import annotations

import re
from base64 import b32encode
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kernel.errors import ApplicationError
from kernel.protected_media import offload
from kernel.spreadsheet import csv_writer
from stories import selectors as story_selectors
from stories.models import Story, StoryMedia, StoryPhoto, StorySubtitle

from . import enrolment, selectors, services, staff_services
from .forms import (
    ApproveForm,
    AssignForm,
    AuditFilterForm,
    BulkForm,
    EditForm,
    IntegrationTokenForm,
    NoteForm,
    PublishForm,
    QueueFilterForm,
    RejectForm,
    RequestChangesForm,
    TakedownForm,
    TokenForm,
)
from .middleware import second_factor_not_required
from .permissions import story_get_actions, user_is_staff_member, user_may

View = Callable[..., HttpResponseBase]
DECISIONS = ("approve", "reject", "request_changes", "takedown", "publish")


def _stuck_words() -> str:
    """The pipeline page's words for a job nobody works on (the rerun button is the next step)."""
    minutes = max(1, settings.JOB_STUCK_AFTER // 60)
    return _("Seit über %(minutes)s Minuten ohne Fortschritt; kein Worker arbeitet daran.") % {
        "minutes": minutes
    }


def staff_required(view: View) -> View:
    """Anonymous visitors go to the login page; users without a staff role get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- Queue --------------------------------------------------------------------------------
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


# --- Review page --------------------------------------------------------------------------
def _story_or_404(story_id: int) -> Story:
    story = selectors.story_for_review(story_id=story_id)
    if story is None:
        raise Http404
    return story


def _render_story(
    request: HttpRequest,
    story_id: int,
    *,
    status: int = 200,
    bound: dict[str, Any] | None = None,
    error: str = "",
) -> HttpResponse:
    story = _story_or_404(story_id)
    actions = story_get_actions(story, request.user)
    review = selectors.story_review_meta(story=story)
    reasons = list(selectors.rejection_reasons())
    media: StoryMedia | None = next(iter(getattr(story, "current_media", [])), None)
    edit_initial = {
        "title": story.title,
        "text": story.text,
        "region_id": story.region_id,
        "topic_id": story.topic_id,
        "youtube_title": review.youtube_title if review else "",
        "youtube_description": review.youtube_description if review else "",
        "youtube_tags": ", ".join(review.youtube_tags) if review else "",
    }
    forms: dict[str, Any] = {
        "edit": EditForm(initial=edit_initial, auto_id="edit-%s"),
        "approve": ApproveForm(auto_id="approve-%s"),
        "reject": RejectForm(reasons=reasons, auto_id="reject-%s"),
        "request_changes": RequestChangesForm(auto_id="changes-%s"),
        "takedown": TakedownForm(auto_id="takedown-%s"),
        "publish": PublishForm(auto_id="publish-%s"),
        "note": NoteForm(auto_id="note-%s"),
        "assign": AssignForm(
            initial={"assignee": review.assignee_id if review else None}, auto_id="assign-%s"
        ),
    }
    forms.update(bound or {})
    context = {
        "story": story,
        "media": media,
        "media_stuck": media is not None and story_selectors.media_is_stuck(media=media),
        "stuck_reason": _stuck_words(),
        "review": review,
        "claim": selectors.story_claim(story=story),
        "actions": actions,
        "forms": forms,
        "error": error,
        "consents": list(story.consents.all()),
        "photos": list(story.photos.all()),
        "subtitle": StorySubtitle.objects.filter(story=story).first(),
        "notes": list(story.internal_notes.all()),
        "approvals": story.live_approvals_list,  # type: ignore[attr-defined]
        "approvals_needed": services.approvals_needed(),
        "audit": list(selectors.story_audit(story=story)[:200]),
        "reasons": reasons,
        "reviewers": list(selectors.reviewers()) if "assign" in actions else [],
        "claim_minutes": settings.MODERATION_CLAIM_MINUTES,
    }
    return render(request, "moderation/story.html", context, status=status)


@staff_required
@require_GET
def story_detail(request: HttpRequest, story_id: int) -> HttpResponse:
    return _render_story(request, story_id)


class _InvalidForm(Exception):
    def __init__(self, name: str, form: Any) -> None:
        self.name, self.form = name, form


def _valid(name: str, form: Any) -> Any:
    if not form.is_valid():
        raise _InvalidForm(name, form)
    return form.cleaned_data


def _do_claim(request: HttpRequest, story_id: int) -> str:
    services.claim_take(story_id=story_id, actor=request.user)
    return _(
        "Sie bearbeiten die Geschichte jetzt (%(n)d Minuten, verlängert sich bei Aktivität)."
    ) % {"n": settings.MODERATION_CLAIM_MINUTES}


def _do_release(request: HttpRequest, story_id: int) -> str:
    services.claim_release(story_id=story_id, actor=request.user)
    return _("Sie haben die Geschichte freigegeben; andere können sie jetzt bearbeiten.")


def _do_takeover(request: HttpRequest, story_id: int) -> str:
    services.claim_takeover(story_id=story_id, actor=request.user)
    return _("Sie haben die Bearbeitung übernommen.")


def _seen(request: HttpRequest) -> str | None:
    """The status the page showed when the user decided (a hidden field of every form)."""
    return request.POST.get("seen_status") or None


def _do_edit(request: HttpRequest, story_id: int) -> str:
    form = EditForm(request.POST, auto_id="edit-%s")
    _valid("edit", form)
    services.story_edit(
        story_id=story_id,
        actor=request.user,
        data=form.service_data(),
        expected_status=_seen(request),
    )
    return _("Änderungen gespeichert.")


def _do_note(request: HttpRequest, story_id: int) -> str:
    data = _valid("note", NoteForm(request.POST, auto_id="note-%s"))
    services.note_add(story_id=story_id, actor=request.user, text=data["text"])
    return _("Notiz gespeichert.")


def _do_assign(request: HttpRequest, story_id: int) -> str:
    data = _valid("assign", AssignForm(request.POST, auto_id="assign-%s"))
    services.story_assign(story_id=story_id, actor=request.user, assignee_id=data["assignee"])
    return _("Zuweisung gespeichert.")


def _do_rerun_media(request: HttpRequest, story_id: int) -> str:
    services.story_media_rerun(story_id=story_id, actor=request.user)
    return _("Die Verarbeitung des Videos wurde neu gestartet.")


def _do_approve(request: HttpRequest, story_id: int) -> str:
    data = _valid("approve", ApproveForm(request.POST, auto_id="approve-%s"))
    story = services.story_approve(
        story_id=story_id,
        actor=request.user,
        checklist=data["checklist"],
        comment=data["comment"],
        expected_status=_seen(request),
    )
    if story.status == Story.Status.APPROVED:
        return _("„%(title)s“ ist freigegeben.") % {"title": story.title}
    return _(
        "Ihre Zustimmung zu „%(title)s“ ist gespeichert; eine zweite Person muss zustimmen."
    ) % {"title": story.title}


def _do_reject(request: HttpRequest, story_id: int) -> str:
    form = RejectForm(request.POST, reasons=selectors.rejection_reasons(), auto_id="reject-%s")
    data = _valid("reject", form)
    story = services.story_reject(
        story_id=story_id,
        actor=request.user,
        reason_code=data["reason"],
        free_text=data["free_text"],
        expected_status=_seen(request),
    )
    return _("„%(title)s“ ist abgelehnt.") % {"title": story.title}


def _do_request_changes(request: HttpRequest, story_id: int) -> str:
    data = _valid("request_changes", RequestChangesForm(request.POST, auto_id="changes-%s"))
    story = services.story_request_changes(
        story_id=story_id,
        actor=request.user,
        message=data["message"],
        expected_status=_seen(request),
    )
    return _("Die Bitte um Änderungen zu „%(title)s“ ist verschickt.") % {"title": story.title}


def _do_takedown(request: HttpRequest, story_id: int) -> str:
    data = _valid("takedown", TakedownForm(request.POST, auto_id="takedown-%s"))
    story = services.story_takedown(
        story_id=story_id,
        actor=request.user,
        reason=data["reason"],
        expected_status=_seen(request),
    )
    return _("„%(title)s“ ist entfernt.") % {"title": story.title}


def _do_publish(request: HttpRequest, story_id: int) -> str:
    data = _valid("publish", PublishForm(request.POST, auto_id="publish-%s"))
    story = services.story_publish(
        story_id=story_id,
        actor=request.user,
        publish_at=data["publish_at"],
        expected_status=_seen(request),
    )
    return _("„%(title)s“ ist zur Veröffentlichung eingereiht.") % {"title": story.title}


HANDLERS: dict[str, Callable[[HttpRequest, int], str]] = {
    "claim": _do_claim,
    "release": _do_release,
    "takeover": _do_takeover,
    "edit": _do_edit,
    "note": _do_note,
    "assign": _do_assign,
    "rerun_media": _do_rerun_media,
    "approve": _do_approve,
    "reject": _do_reject,
    "request_changes": _do_request_changes,
    "takedown": _do_takedown,
    "publish": _do_publish,
}


@staff_required
@require_POST
def story_action(request: HttpRequest, story_id: int, action: str) -> HttpResponse:
    """One POST per action; the service decides, the page shows why when it refuses."""
    handler = HANDLERS.get(action)
    if handler is None:
        raise Http404
    if not user_may(request.user, action):
        raise PermissionDenied
    try:
        message = handler(request, story_id)
    except _InvalidForm as exc:
        return _render_story(
            request,
            story_id,
            status=400,
            bound={exc.name: exc.form},
            error=_("Bitte prüfen Sie die markierten Angaben."),
        )
    except DjangoValidationError as exc:
        return _render_story(request, story_id, status=400, error=" ".join(exc.messages))
    except ApplicationError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        if exc.status_code == 404:
            raise Http404 from exc
        return _render_story(request, story_id, status=exc.status_code, error=exc.message)
    messages.success(request, message)
    if action in DECISIONS:
        return redirect("moderation:queue")
    return redirect("moderation:story", story_id=story_id)


@staff_required
@require_POST
def claim_ping(request: HttpRequest, story_id: int) -> JsonResponse:
    """The review page's activity ping: extends the caller's claim, if they hold one."""
    claim = services.claim_renew(story_id=story_id, actor=request.user)
    if claim is None or not claim.is_active:
        return JsonResponse({"held": False})
    return JsonResponse({"held": True, "expires_at": claim.expires_at.isoformat()})


# --- Media --------------------------------------------------------------------------------
MEDIA_KINDS = {"preview": "video/mp4", "poster": "image/jpeg"}
ATTACHMENT_TYPES = {"photo": "image/jpeg", "subtitles": "text/vtt; charset=utf-8"}
RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


@staff_required
@require_GET
def media(request: HttpRequest, story_id: int, kind: str) -> HttpResponseBase:
    """Stream a story's preview rendition or poster to staff; never through a public URL."""
    if kind not in MEDIA_KINDS:
        raise Http404
    row = StoryMedia.objects.filter(story_id=story_id, is_current=True).first()
    key = (row.preview_key if kind == "preview" else row.poster_key) if row else ""
    if not key or not default_storage.exists(key):
        raise Http404
    offloaded = offload(key, content_type=MEDIA_KINDS[kind])
    if offloaded is not None:
        return offloaded
    size = default_storage.size(key)
    handle = default_storage.open(key, "rb")
    match = RANGE.match(request.headers.get("Range", ""))
    if match and size and (match.group(1) or match.group(2)):
        start, end = _byte_range(match.group(1), match.group(2), size)
        if start >= size or start > end:
            handle.close()
            response: HttpResponseBase = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle.seek(start)
        response = StreamingHttpResponse(
            _read(handle, end - start + 1), status=206, content_type=MEDIA_KINDS[kind]
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(handle, content_type=MEDIA_KINDS[kind])
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
@require_GET
def attachment(request: HttpRequest, story_id: int, kind: str, item: int = 0) -> HttpResponseBase:
    """A story's photo or subtitles for the review page; staff only, never cached publicly."""
    row: StoryPhoto | StorySubtitle | None
    if kind == "photo":
        row = StoryPhoto.objects.filter(story_id=story_id, pk=item).first()
    elif kind == "subtitles":
        row = StorySubtitle.objects.filter(story_id=story_id).first()
    else:
        raise Http404
    if row is None or not default_storage.exists(row.storage_key):
        raise Http404
    offloaded = offload(row.storage_key, content_type=ATTACHMENT_TYPES[kind])
    if offloaded is not None:
        return offloaded
    response = FileResponse(
        default_storage.open(row.storage_key, "rb"), content_type=ATTACHMENT_TYPES[kind]
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _byte_range(first: str, last: str, size: int) -> tuple[int, int]:
    if not first:  # "bytes=-500": the last 500 bytes
        return max(size - int(last), 0), size - 1
    return int(first), min(int(last), size - 1) if last else size - 1


def _read(handle: Any, remaining: int, chunk: int = 256 * 1024) -> Iterator[bytes]:
    try:
        while remaining > 0:
            data = handle.read(min(chunk, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


# --- Audit log ----------------------------------------------------------------------------
def _audit_form(request: HttpRequest) -> AuditFilterForm:
    return AuditFilterForm(
        request.GET or None,
        actors=selectors.audit_actors(),
        actions=selectors.audit_actions(),
    )


@staff_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    form = _audit_form(request)
    entries = selectors.audit_log(filters=form.filters())
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "moderation/audit.html", {"form": form, "page": page, "nav": "audit"})


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_required
@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV, streamed row by row."""
    entries = selectors.audit_log(filters=_audit_form(request).filters())
    writer = csv_writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in selectors.audit_rows(queryset=entries)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


# --- Second factor ------------------------------------------------------------------------
def _next_url(request: HttpRequest) -> str:
    next_url = request.GET.get("next") or reverse("moderation:queue")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("moderation:queue")
    return next_url


@second_factor_not_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponseBase:
    """Verify the device; or enrol a first one, once the e-mailed enrolment link was opened.

    Without a confirmed device and without the link, the page only offers to send the link
    (see ``moderation.enrolment``): the password alone never shows a secret.
    """
    from django_otp import login as otp_login
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    next_url = _next_url(request)
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return _enrol(request, next_url)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip().replace(" ", "")
        allowed, _detail = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Zu viele Versuche. Bitte warten Sie einen Moment."))
        else:
            if device.verify_token(token):
                otp_login(request, device)
                return redirect(next_url)
            for static in StaticDevice.objects.filter(user=request.user, confirmed=True):
                if static.verify_is_allowed()[0] and static.verify_token(token.lower()):
                    otp_login(request, static)
                    messages.warning(
                        request,
                        _("Sie haben einen Wiederherstellungscode verbraucht; noch %(n)d übrig.")
                        % {"n": static.token_set.count()},
                    )
                    return redirect(next_url)
            form.add_error(
                "token", _("Der Code stimmt nicht. Bitte geben Sie den aktuellen Code ein.")
            )
    context = {"form": form, "step": "verify"}
    return render(request, "moderation/two_factor.html", context)


def _enrol(request: HttpRequest, next_url: str) -> HttpResponseBase:
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if request.session.get(enrolment.SESSION_KEY) != request.user.pk:
        sent = None
        if request.method == "POST" and "send_link" in request.POST:
            sent = enrolment.enrolment_link_send(
                user=request.user, base_url=request.build_absolute_uri("/")
            )
        return render(
            request,
            "moderation/two_factor.html",
            {"step": "link", "sent": sent, "email": getattr(request.user, "email", "")},
        )
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = enrolment.enrolment_start(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _detail = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Zu viele Versuche. Bitte warten Sie einen Moment."))
        elif device.verify_token(form.cleaned_data["token"].strip()):
            codes = enrolment.enrolment_finish(device=device)
            request.session.pop(enrolment.SESSION_KEY, None)
            otp_login(request, device)
            done = {"step": "codes", "codes": codes, "next_url": next_url}
            return render(request, "moderation/two_factor.html", done)
        else:
            form.add_error(
                "token", _("Der Code stimmt nicht. Bitte geben Sie den aktuellen Code ein.")
            )
    context: dict[str, Any] = {
        "form": form,
        "step": "setup",
        "qr_svg": mark_safe(enrolment.qr_svg(device=device)),  # noqa: S308 - segno's own SVG
        "secret": b32encode(device.bin_key).decode(),
    }
    return render(request, "moderation/two_factor.html", context)


@second_factor_not_required
@require_GET
def enrol(request: HttpRequest, token: str) -> HttpResponseBase:
    """The e-mailed enrolment link: opens set-up for the signed-in owner of the link."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if enrolment.user_has_device(user=request.user) or not enrolment.enrolment_token_check(
        user=request.user, token=token
    ):
        raise PermissionDenied(_("Dieser Link gilt nicht (mehr)."))
    enrolment.enrolment_start(user=request.user)
    request.session[enrolment.SESSION_KEY] = request.user.pk
    return redirect("moderation:two_factor")


# --- API tokens ---------------------------------------------------------------------------
def _session_verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


@staff_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's integration tokens: list, issue (verified sessions only), revoke."""
    verified = _session_verified(request)
    form = IntegrationTokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = staff_services.token_issue(
                user=request.user,
                verified=verified,
                name=form.cleaned_data["name"],
                can_write=form.cleaned_data["can_write"],
            )
        except ApplicationError as error:
            raise PermissionDenied(error.message) from error
        form = IntegrationTokenForm()
    context = {
        "nav": "tokens",
        "form": form,
        "issued": issued,
        "verified": verified,
        "tokens": selectors.tokens_of(user=request.user),
        "ttl_days": settings.API_TOKEN_TTL_DAYS,
        "two_factor_url": f"{reverse('moderation:two_factor')}?next={reverse('moderation:tokens')}",
    }
    return render(request, "moderation/tokens.html", context)


@staff_required
@require_POST
def token_revoke(request: HttpRequest, digest: str) -> HttpResponse:
    try:
        staff_services.token_revoke(actor=request.user, digest=digest)
    except ApplicationError as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, _("Der API-Schlüssel wurde widerrufen."))
    return redirect("moderation:tokens")
