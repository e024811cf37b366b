"""The second factor for staff, deny by default.

When ``MODERATION_REQUIRE_2FA`` is on, a signed-in staff member (``is_staff``, or a role that
opens the workspace) whose session has no verified OTP device reaches **no** view except the
ones that are exempt: the sign-in and sign-out views, the second-factor pages themselves, and
the public site. Every other view — the workspace, the admin, the publishing pages, every API,
and any endpoint added later — answers a redirect to ``/moderation/2fa/`` (pages) or 403 in
the API's error shape (``/api/``), before the view runs.

The design follows Django 5.1's ``LoginRequiredMiddleware``/``login_not_required``: a view
opts out with :func:`second_factor_not_required`; views in apps this module does not own are
opted out by URL name in ``EXEMPT_URL_NAMES``. Both are short and explicit, and
``tests/security/test_second_factor_guard.py`` walks the whole URLconf and fails on an
exemption that is not in its own copy of the list.

The same middleware ends staff sessions after ``STAFF_SESSION_HOURS``.

Token-authenticated API calls carry no session user here (DRF authenticates inside the
view); tokens are issued only from a session with a verified second factor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .permissions import user_is_staff_member

V = TypeVar("V", bound=Callable[..., Any])

# Views that stay open to a staff session without a verified second factor, by URL name.
EXEMPT_URL_NAMES = frozenset(
    {
        # Signing in and out, and the second-factor pages.
        "admin:login",
        "admin:logout",
        "moderation:login",
        "moderation:logout",
        "partners:login",
        "partners:logout",
        # Infrastructure endpoints (they have their own protection).
        "healthz",
        "readyz",
        "metrics",
        "set_language",
        # The public site: the form, the gallery, the legal pages, the submitter's pages.
        "stories:home",
        "legal:home",
        "stories:language",
        "stories:confirm",
        "stories:status",
        "stories:status_progress",
        "stories:guardian",
        "form:story",
        "form:video",
        "form:video_state",
        "form:people",
        "form:check",
        "form:thanks",
        "form:easy_language",
        "gallery:index",
        "gallery:feed",
        "gallery:feed_atom",
        "gallery:story",
        "gallery:poster",
        "legal:imprint",
        "legal:privacy",
        "legal:accessibility",
        "legal:easy_language",
        "legal:sitemap",
        "partners:register",
        "partners:registered",
        "partners:invitation",
        "partners:banner",
        # The public API: the submitter's story-token API, tus uploads, the schema.
        "api:campaign",
        "api:story-create",
        "api:story-detail",
        "api:story-video",
        "api:story-photos",
        "api:story-photo-delete",
        "api:story-subtitles",
        "api:story-submit",
        "api:story-withdraw",
        "api:uploads:collection",
        "api:uploads:detail",
        "api:uploads:status",
        "schema",
        "api-docs",
    }
)


def second_factor_not_required(view: V) -> V:
    """Mark a view as reachable without a verified second factor (sign-in, 2FA pages)."""
    view.second_factor_exempt = True  # type: ignore[attr-defined]
    return view


def view_is_exempt(view_func: Any, view_name: str | None) -> bool:
    """Is this view open to a staff session without a verified second factor?"""
    if view_name in EXEMPT_URL_NAMES:
        return True
    for candidate in (view_func, getattr(view_func, "view_class", None)):
        if getattr(candidate, "second_factor_exempt", False):
            return True
    return False


def user_is_staff(user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or user_is_staff_member(user))


def user_needs_second_factor(user: Any) -> bool:
    """Is ``user`` staff whose session has not verified an OTP device yet?"""
    if not user_is_staff(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


class TwoFactorMiddleware:
    """Refuse every non-exempt view to staff without a verified second factor.

    Runs after django-otp's ``OTPMiddleware`` (which provides ``user.is_verified()``); decides
    in ``process_view`` so it sees the resolved view, not a path prefix.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # A sign-in changes the session; only then look at the user, so public pages that
        # never touch the session stay cacheable.
        session = getattr(request, "session", None)
        user = getattr(request, "user", None) if session is not None and session.modified else None
        if user_is_staff(user):
            _limit_staff_session(request)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        match = request.resolver_match
        if view_is_exempt(view_func, match.view_name if match else None):
            return None  # public views never touch the session (their caching relies on it)
        user = getattr(request, "user", None)
        if not settings.MODERATION_REQUIRE_2FA or not user_needs_second_factor(user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"message": _("Bitte bestätigen Sie zuerst Ihren zweiten Faktor."), "extra": {}},
                status=403,
            )
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse('moderation:two_factor')}?{query}")


STAFF_EXPIRY_KEY = "moderation_staff_session_until"


def _limit_staff_session(request: HttpRequest) -> None:
    """End a staff session ``STAFF_SESSION_HOURS`` after sign-in instead of after 14 days.

    The end is absolute (not renewed by activity); public visitors keep Django's default.
    """
    if STAFF_EXPIRY_KEY in request.session:
        return
    until = timezone.now() + timedelta(hours=settings.STAFF_SESSION_HOURS)
    request.session.set_expiry(until)
    request.session[STAFF_EXPIRY_KEY] = until.isoformat()
