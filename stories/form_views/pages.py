"""Pages beside the steps."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def easy_language(request: HttpRequest) -> HttpResponse:
    """A short introduction in Leichte Sprache (easy German)."""
    return render(request, "stories/form/easy_language.html")
