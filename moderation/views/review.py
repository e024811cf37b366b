"""The review page and its actions.

Thin: each action reads through ``selectors``, writes through one ``services`` call and is
offered only when ``story_get_actions`` allows it. A refused action answers 403 (the role
lacks it) or 409 (the story's state does not allow it now) with the page and a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kernel.errors import ApplicationError
from stories import selectors as story_selectors
from stories.models import Story, StoryMedia, StorySubtitle

from .. import selectors, services
from ..forms import (
    ApproveForm,
    AssignForm,
    EditForm,
    NoteForm,
    PublishForm,
    RejectForm,
    RequestChangesForm,
    TakedownForm,
)
from ..permissions import story_get_actions, user_may
from .access import staff_required

DECISIONS = ("approve", "reject", "request_changes", "takedown", "publish")


def _stuck_words() -> str:
    """The pipeline page's words for a job nobody works on (the rerun button is the next step)."""
    minutes = max(1, settings.JOB_STUCK_AFTER // 60)
    return _("Seit über %(minutes)s Minuten ohne Fortschritt; kein Worker arbeitet daran.") % {
        "minutes": minutes
    }


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
