"""Public pages of the submission side."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kernel.errors import ConflictError

from . import abuse, selectors, services
from .forms import StatusLinkRequestForm
from .link_language import remember_language, speaks_link_language
from .models import ConsentText


@require_GET
def switch_language(request: HttpRequest) -> HttpResponse:
    """Change the interface language (a cookie) and go back to the page the visitor was on.

    A GET, unlike Django's ``set_language``: a language preference is harmless to change
    cross-site, and without a CSRF token on every page the public pages can be cached.
    """
    code = request.GET.get("language", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if check_for_language(code) and code in dict(settings.LANGUAGES):
        remember_language(request, response, code)
    return response


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "stories/home.html")


@require_http_methods(["GET", "POST"])
def status_link_request(request: HttpRequest) -> HttpResponse:
    """A submitter who lost the status link asks for a fresh one; the old one stops working.

    The answer is the same whether or not a story belongs to the address, and the page is
    rate-limited per client address.
    """
    template = "stories/status_link_request.html"
    form = StatusLinkRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "GET":
        return render(request, template, {"form": form})
    wait = abuse.submission_limit_hit(request=request, action="status_link")
    if wait is not None:
        form.is_valid()
        form.add_error(None, abuse.rate_limited_message(wait))
        return render(request, template, {"form": form}, status=429)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    services.story_status_links_renew(email=form.cleaned_data["email"])
    return render(request, template, {"form": None, "sent": True})


@speaks_link_language
@require_http_methods(["GET", "POST"])
def guardian(request: HttpRequest, token: str) -> HttpResponse:
    """The guardian's page from the e-mail: what the story is, the consent text, a choice."""
    story = selectors.story_by_guardian_token(token=token)
    if story is None or not story.has_minor:
        return render(request, "stories/link_invalid.html", status=404)
    error = ""
    if request.method == "POST" and story.guardian_confirmed_at is None:
        choice = request.POST.get("decision")
        if choice in ("agree", "refuse"):
            try:
                story = services.guardian_decide(story=story, agree=choice == "agree")
            except ConflictError as exc:
                error = exc.message
            else:
                return redirect(request.path)
        else:
            error = _("Bitte wählen Sie eine der beiden Möglichkeiten.")
    text = selectors.consent_text_current(
        purpose=ConsentText.Purpose.GUARDIAN, language=translation.get_language() or "de"
    )
    context = {"story": story, "consent_text": text, "error": error}
    return render(request, "stories/guardian.html", context, status=400 if error else 200)
