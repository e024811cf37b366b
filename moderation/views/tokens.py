"""The user's integration tokens for the API."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kernel.errors import ApplicationError

from .. import selectors, staff_services
from ..forms import IntegrationTokenForm
from .access import staff_required


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
