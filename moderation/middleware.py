"""The second factor for staff: without a verified TOTP device, only the set-up page opens."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .permissions import user_is_staff_member

GUARDED_PREFIXES = (
    "/moderation/",
    "/admin/",
    "/api/v1/moderation/",
    "/publishing/",
    "/betrieb/",  # the pipeline page (campaign admins)
)


class TwoFactorMiddleware:
    """When ``MODERATION_REQUIRE_2FA`` is on, staff must verify a TOTP device per session.

    Runs after django-otp's ``OTPMiddleware`` (which provides ``user.is_verified()``).
    Pages redirect to the set-up/verify page; the API answers 403 in the one error shape.
    Token-authenticated API calls never carry a session user, so they pass untouched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.MODERATION_REQUIRE_2FA and self._needs_second_factor(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "message": _("Bitte bestätigen Sie zuerst Ihren zweiten Faktor."),
                        "extra": {},
                    },
                    status=403,
                )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('moderation:two_factor')}?{query}")
        return self.get_response(request)

    @staticmethod
    def _needs_second_factor(request: HttpRequest) -> bool:
        path = request.path
        if not path.startswith(GUARDED_PREFIXES):
            return False
        if path.startswith(("/moderation/2fa/", "/moderation/logout/", "/admin/logout/")):
            return False
        if path.startswith("/admin/login/"):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if not (user.is_staff or user_is_staff_member(user)):
            return False
        is_verified = getattr(user, "is_verified", None)
        return not (callable(is_verified) and is_verified())
