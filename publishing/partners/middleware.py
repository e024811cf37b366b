"""Counts visits of the submission form that arrive through a partner's link or QR code."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

FORM_PATH = "/mitmachen/"


class RefVisitMiddleware:
    """GET /mitmachen/?ref=<code> counts one visit for that partner per visitor and day;
    never breaks the page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method == "GET"
            and request.path == FORM_PATH
            and request.GET.get("ref")
            and response.status_code < 400
        ):
            from .services import ref_visit_record

            try:
                visitor = "|".join(
                    (
                        request.META.get("REMOTE_ADDR", ""),
                        request.META.get("HTTP_USER_AGENT", "")[:300],
                        request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:100],
                    )
                )
                ref_visit_record(ref=request.GET["ref"], visitor=visitor)
            except DatabaseError:
                logger.exception("could not count a partner visit")
        return response
