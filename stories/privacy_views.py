"""Pages for campaign admins under /moderation/datenschutz/: find a person by e-mail,
export everything stored about them (Art. 15 GDPR) and erase it (Art. 17 GDPR).

The module carries its own ``urlpatterns`` so config/urls.py includes it directly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kernel.roles import Role

from . import privacy
from .models import Story

app_name = "privacy"


def user_may_manage_privacy(user: Any) -> bool:
    """Only campaign admins (and superusers) see, export and erase a person's data."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or user.groups.filter(name=Role.CAMPAIGN_ADMIN).exists())


def _require_admin(request: HttpRequest) -> None:
    if not user_may_manage_privacy(request.user):
        raise PermissionDenied


def _clean_email(raw: str) -> str:
    email = raw.strip()
    try:
        validate_email(email)
    except Exception:  # noqa: BLE001 - any invalid input is just "no address"
        return ""
    return email


class _DeletingFile:
    """An open export ZIP whose file is removed once the response has been sent."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = path.open("rb")

    def read(self, size: int = -1) -> bytes:
        return self.handle.read(size)

    def close(self) -> None:
        self.handle.close()
        self.path.unlink(missing_ok=True)


@login_required
@require_http_methods(["GET"])
def search(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    email = _clean_email(request.GET.get("email", ""))
    stories = list(privacy.stories_of_person(email=email)) if email else []
    return render(
        request,
        "stories/privacy/search.html",
        {
            "email": email,
            "searched": "email" in request.GET,
            "stories": stories,
            "invalid": "email" in request.GET and not email,
        },
    )


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponseBase:
    _require_admin(request)
    email = _clean_email(request.POST.get("email", ""))
    stories = list(privacy.stories_of_person(email=email)) if email else []
    if not stories:
        messages.error(request, _("Unter dieser Adresse ist nichts gespeichert."))
        return redirect(reverse("privacy:search"))
    path_ = privacy.person_export(email=email, stories=stories)
    privacy.privacy_export_record(stories=stories, actor=request.user)
    size = os.path.getsize(path_)
    response = FileResponse(
        _DeletingFile(path_),
        as_attachment=True,
        filename=f"auskunft-{stories[0].public_id}.zip",
        content_type="application/zip",
    )
    response["Content-Length"] = str(size)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, story_id: int) -> HttpResponse:
    _require_admin(request)
    story = get_object_or_404(Story, pk=story_id)
    email = story.submitter_email
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Bitte bestätigen Sie die Löschung."))
            return redirect(reverse("privacy:erase", args=[story.pk]))
        report = privacy.story_erase(
            story=story, actor=request.user, reason=request.POST.get("reason", "")[:200]
        )
        messages.success(
            request,
            _("Gelöscht: Geschichte #%(id)d, %(files)d Dateien.")
            % {"id": story.pk, "files": len(report.files_deleted)},
        )
        return redirect(reverse("privacy:search") + (f"?email={email}" if email else ""))
    return render(request, "stories/privacy/erase.html", {"story": story})


urlpatterns = [
    path("", search, name="search"),
    path("auskunft/", export, name="export"),
    path("loeschen/<int:story_id>/", erase, name="erase"),
]
