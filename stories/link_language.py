"""Pages opened from an e-mail speak the e-mail's language, even in a fresh browser.

Every private link in an e-mail carries ``?lang=<code>`` (``stories.links``). The views those
links open take it, when it is one of the site's languages, before anything else: the page
renders in it and the language cookie keeps it for the pages that follow. Without the
parameter the usual choice (cookie, then the browser's ``Accept-Language``) stands.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from .links import LANGUAGE_PARAMETER

View = Callable[..., HttpResponse]


def link_language(request: HttpRequest) -> str:
    """The link's language if it names one of ours, else the request's own."""
    wanted = request.GET.get(LANGUAGE_PARAMETER, "")
    if wanted in dict(settings.LANGUAGES):
        return wanted
    return str(getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE))


def speaks_link_language(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = link_language(request)
        from_link = language != getattr(request, "LANGUAGE_CODE", None)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = view(request, *args, **kwargs)
        if from_link:
            remember_language(request, response, language)
        return response

    return wrapped


def remember_language(request: HttpRequest, response: HttpResponse, language: str) -> None:
    """Keep ``language`` for the pages that follow (Django's language cookie)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
    )
