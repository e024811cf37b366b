"""API token authentication for integrations, on django-rest-knox.

knox stores only a digest of each token, compares in constant time and drops expired
tokens. What it does not know is a scope: ``ScopedTokenAuthentication`` refuses every
unsafe method (POST, PUT, PATCH, DELETE) with a read-only token before the view runs, so no
view can forget the check. DRF's bare ``authtoken`` (never expiring, no scope) is gone;
its old tokens no longer authenticate.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS


class ScopedTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; a read-only token may only read."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        _user, token = result
        if request.method not in SAFE_METHODS and not token.can_write:
            raise exceptions.PermissionDenied(_("Dieser API-Schlüssel darf nur lesen."))
        return result


class ScopedTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token header in the OpenAPI schema."""

    target_class = "moderation.tokens.ScopedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=knox_settings.AUTH_HEADER_PREFIX
        )
