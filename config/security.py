"""Browser-side protections Django's own middleware does not set.

``PrivateNoStoreMiddleware`` marks every private response ``Cache-Control: no-store``, so
no browser cache, shared computer or proxy keeps a copy of a staff page, a staff API answer,
a status page or any page reached through a private token. Private means, by default:
- a signed-in user (staff, partners) or a request carrying an ``Authorization`` header
  (integration tokens, story tokens, the metrics token);
- or a path under ``PRIVATE_PATH_PREFIXES`` (staff areas, and the pages whose URL holds a
  private token: status, confirmation, guardian consent, partner invitation, the form).
Anything else is left as the view set it (public pages keep their cache headers).
The ``Permissions-Policy`` header comes from django-permissions-policy (``PERMISSIONS_POLICY``
in settings).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


def request_is_private(request: HttpRequest) -> bool:
    """Does the answer to this request belong to one person only?"""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    if "HTTP_AUTHORIZATION" in request.META:
        return True
    return request.path.startswith(tuple(settings.PRIVATE_PATH_PREFIXES))


class PrivateNoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        already = "no-store" in response.get("Cache-Control", "")
        if request_is_private(request) and not already:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private, max-age=0"
        return response
