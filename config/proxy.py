"""The real client address and scheme behind a trusted reverse proxy.

Every rate limit, the login lockout and the upload limits key on ``REMOTE_ADDR``. Behind
nginx that is nginx's own address, so all visitors would share one window. This middleware
runs first and, **only when the direct peer is in ``TRUSTED_PROXIES``**, rewrites
``REMOTE_ADDR`` to the right-most address in ``X-Forwarded-For`` that is not itself a
trusted proxy (the left part of the header is written by the client and can say anything),
and sets the request scheme from ``X-Forwarded-Proto`` so ``request.is_secure()`` (and with
it ``SECURE_SSL_REDIRECT``, secure cookies and absolute URLs) is right. From any other peer
both headers are removed, so nothing later can be fooled by them. ``TRUSTED_PROXIES`` is
empty by default: nobody is trusted, ``REMOTE_ADDR`` stays the socket's peer.

Why written by hand (about 60 lines):

- gunicorn's ``forwarded_allow_ips`` only decides whether ``X-Forwarded-Proto`` may set
  ``wsgi.url_scheme``; it never changes ``REMOTE_ADDR``. ``config/gunicorn.py`` turns that
  trust off, so this middleware is the single place that decides.
- Django's ``SECURE_PROXY_SSL_HEADER`` trusts the header from *every* peer, including a
  client that talks to gunicorn directly; it is no longer set in production.
- django-ipware (checked, 7.x) returns a best-guess client address to code that asks for it
  but leaves ``REMOTE_ADDR`` alone, so every limit would have to be changed to call it, and
  its trusted-proxy matching is by string prefix rather than by network; it does not handle
  the scheme at all. Rewriting ``REMOTE_ADDR`` once, here, makes every existing limit and
  django-axes (configured to read ``REMOTE_ADDR``) correct without touching them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO")


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from error


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(value: str, networks: tuple[Network, ...]) -> bool:
    address = _address(value)
    return address is not None and any(address in network for network in networks)


def client_address(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The right-most hop of ``forwarded_for`` that is not a trusted proxy; else the last one."""
    client = peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:  # garbage from the client's side: keep the last trusted hop
            break
        client = str(address)
        if not any(address in network for network in networks):
            break
    return client


class TrustedProxyMiddleware:
    """First in ``MIDDLEWARE``: real client address and scheme from trusted proxies only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        _networks(tuple(settings.TRUSTED_PROXIES))  # a bad entry fails at start, not later

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        networks = _networks(tuple(settings.TRUSTED_PROXIES))
        peer = meta.get("REMOTE_ADDR", "")
        if networks and _trusted(peer, networks):
            forwarded_for = meta.get("HTTP_X_FORWARDED_FOR", "")
            if forwarded_for:
                meta["REMOTE_ADDR"] = client_address(peer, forwarded_for, networks)
            proto = meta.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                meta["wsgi.url_scheme"] = proto
        else:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)
