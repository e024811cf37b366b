"""Publisher pages: quota and queue, a publication's YouTube metadata, the channel connection."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kernel.errors import ApplicationError
from kernel.roles import is_campaign_admin

from . import selectors, services
from .api import ReconnectRequired, metadata_problems
from .models import Publication
from .takedown import step_line as takedown_step_line
from .takedown import step_states as takedown_step_states
from .takedown import takedowns_failing
from .truth import problem_message, publications_with_problems

SESSION_STATE = "publishing.oauth.state"
SESSION_VERIFIER = "publishing.oauth.verifier"


def _require_publisher(request: HttpRequest) -> None:
    if not selectors.user_is_publisher(request.user):
        raise PermissionDenied


def _require_campaign_admin(request: HttpRequest) -> None:
    if not is_campaign_admin(request.user):  # only campaign admins connect the channel
        raise PermissionDenied


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Today's quota, the queue with expected publication dates, recent publications."""
    _require_publisher(request)
    queue = selectors.publication_queue()
    recent = selectors.publication_recent()
    for publication in [row.publication for row in queue] + recent:
        # For the template: the status in words (private is not "published") and what to do.
        publication.status_label = selectors.publication_status_label(publication)  # type: ignore[attr-defined]
        publication.notices = selectors.publication_notices(publication)  # type: ignore[attr-defined]
    context = {
        "usage": selectors.quota_usage(),
        "queue": queue,
        "ready": selectors.stories_ready_to_publish(),
        "schedule_form": ScheduleForm(),
        "changed": [
            (publication, problem_message(publication))
            for publication in publications_with_problems()
        ],
        "takedowns": takedowns_failing(),
        "recent": recent,
        "channel": services.channel_get(),
        "may_connect": is_campaign_admin(request.user),
    }
    return render(request, "publishing/dashboard.html", context)


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=gettext_lazy("Öffentlich ab (optional, Ortszeit Berlin)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


@login_required
@require_POST
def publish_story(request: HttpRequest, story_id: int) -> HttpResponse:
    """Queue an approved story for YouTube, now or at a time (YouTube's ``status.publishAt``:
    uploaded private, YouTube makes it public then). Times are read in ``TIME_ZONE``.
    """
    _require_publisher(request)
    from stories.models import Story

    story = get_object_or_404(Story, pk=story_id)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Der Zeitpunkt ist ungültig."))
        return redirect("publishing:dashboard")
    try:
        services.publication_request(
            story=story, actor=request.user, publish_at=form.cleaned_data["publish_at"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Die Geschichte ist zur Veröffentlichung eingereiht."))
    return redirect("publishing:dashboard")


class MetadataForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Titel auf YouTube"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Beschreibung"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
    )
    tags = forms.CharField(
        label=gettext_lazy("Schlagwörter (durch Kommas getrennt)"), required=False, max_length=2000
    )

    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]


def _problems_of(publication: Publication) -> list[str]:
    snippet = publication.metadata.get("snippet") or {}
    status = publication.metadata.get("status") or {}
    return metadata_problems(
        title=str(snippet.get("title", "")),
        story_text=str(snippet.get("description", "")),
        tags=list(snippet.get("tags") or []),
        language=str(snippet.get("defaultLanguage", "")),
        privacy=str(status.get("privacyStatus", "private")),
        publish_at=None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A publication's state and, before the upload starts, the form for its metadata."""
    _require_publisher(request)
    publication = get_object_or_404(Publication.objects.select_related("story"), pk=pk)
    actions = selectors.publication_get_actions(publication=publication, user=request.user)
    snippet = publication.metadata.get("snippet") or {}
    initial = {
        "title": snippet.get("title", ""),
        "description": snippet.get("description", ""),
        "tags": ", ".join(snippet.get("tags") or []),
    }
    form = MetadataForm(initial=initial)
    problems = _problems_of(publication)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in actions:
            raise PermissionDenied
        try:
            if action == "retry":
                services.publication_request(story=publication.story, actor=request.user)
                messages.success(request, _("Die Veröffentlichung ist wieder eingereiht."))
                return redirect(request.path)
            form = MetadataForm(request.POST)
            if form.is_valid():
                publication, problems = services.publication_update_metadata(
                    publication=publication,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    tags=form.tag_list(),
                )
                messages.success(request, _("Die Angaben für YouTube sind gespeichert."))
                if not problems:
                    return redirect(request.path)
                form = MetadataForm(
                    initial={
                        "title": publication.metadata["snippet"]["title"],
                        "description": publication.metadata["snippet"]["description"],
                        "tags": ", ".join(publication.metadata["snippet"].get("tags") or []),
                    }
                )
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(request.path)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
    context = {
        "publication": publication,
        "form": form,
        "problems": problems,
        "actions": actions,
        "status_label": selectors.publication_status_label(publication),
        "notices": selectors.publication_notices(publication),
        "takedown_steps": [
            {**entry, "line": takedown_step_line(entry)}
            for entry in takedown_step_states(publication).values()
        ],
    }
    return render(request, "publishing/publication.html", context)


@login_required
def channel(request: HttpRequest) -> HttpResponse:
    """The channel connection: status, and the button that starts Google's consent."""
    _require_campaign_admin(request)
    return render(request, "publishing/channel.html", {"channel": services.channel_get()})


def _callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("publishing:channel_callback"))


@login_required
@require_POST
def channel_connect(request: HttpRequest) -> HttpResponse:
    """Send the campaign admin to Google's consent page (state and PKCE kept in the session)."""
    _require_campaign_admin(request)
    url, state, verifier = services.channel_authorization_start(redirect_uri=_callback_uri(request))
    request.session[SESSION_STATE] = state
    request.session[SESSION_VERIFIER] = verifier
    return redirect(url)


@login_required
def channel_callback(request: HttpRequest) -> HttpResponse:
    """Google redirects back here with the code; refuse a state we did not hand out."""
    _require_campaign_admin(request)
    state = request.session.pop(SESSION_STATE, None)
    verifier = request.session.pop(SESSION_VERIFIER, None)
    error = request.GET.get("error")
    if error:
        messages.error(request, _("Google hat die Verbindung nicht erlaubt (%s).") % error)
        return redirect("publishing:channel")
    if not state or not verifier or request.GET.get("state") != state:
        messages.error(request, _("Die Anfrage ist abgelaufen. Bitte noch einmal verbinden."))
        return redirect("publishing:channel")
    try:
        services.channel_connect_with_code(
            code=request.GET.get("code", ""),
            code_verifier=verifier,
            redirect_uri=_callback_uri(request),
            actor=request.user,
        )
    except (ReconnectRequired, ValidationError):
        messages.error(request, _("Google hat die Anmeldung abgelehnt. Bitte noch einmal."))
        return redirect("publishing:channel")
    messages.success(request, _("Der YouTube-Kanal ist verbunden."))
    return redirect("publishing:channel")
