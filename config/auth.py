"""Sign-in lockout with django-axes: lock the pair (username, client address), never a name.

Every password login of the product goes through ``django.contrib.auth.authenticate()``
(the admin login, which the moderation area uses, and the partner login), and
``axes.backends.AxesStandaloneBackend`` stands first in ``AUTHENTICATION_BACKENDS`` and
refuses a locked-out attempt before the password is checked; ``axes.middleware.AxesMiddleware``
turns the refusal into the page below (429).

What is counted, per failed sign-in (``AXES_LOCKOUT_PARAMETERS``):
- the pair (username, client address): locked after ``LOGIN_MAX_FAILURES`` failures;
- the client address alone: locked after ``LOGIN_ADDRESS_MAX_FAILURES`` failures, a higher
  ceiling that stops one address trying many names;
- never the username alone: an attacker elsewhere cannot lock a named account, and made-up
  names from one address do not lock anybody else out.

A lock lasts ``LOGIN_LOCKOUT_SECONDS`` and doubles with every further lock of the same pair
(or address) within a day, up to ``LOGIN_LOCKOUT_MAX_SECONDS``. Attempts refused during a
lock are not counted and do not extend it. The client address is ``REMOTE_ADDR`` only (the
trusted-proxy middleware rewrites it from the proxy's header when the peer is a trusted proxy);
ipware's reading of ``X-Forwarded-For`` would let anybody pick their own address.

Why axes' cache handler, and why this small subclass: counters live in the shared cache
(Redis in production, through django-redis), so every web process on every
host sees the same numbers and a lock expires by itself with the key's TTL; no table grows
with every failed attempt. Like the cache, it fails open when Redis is down (staff must
still be able to sign in during an incident). Axes has one failure limit for every lockout
parameter and a fixed cool-off, so the subclass only adds the second, higher limit for the
address and the growing cool-off; axes does the rest (backend, middleware, signals).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_client_cache_keys, get_client_ip_address, get_client_username
from axes.signals import user_locked_out
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# How long earlier locks make the next one longer.
LOCK_MEMORY_SECONDS = 24 * 3600


def client_ip(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``: the address the trusted-proxy middleware left in REMOTE_ADDR."""
    return str(request.META.get("REMOTE_ADDR", ""))


def _lock_key(kind: str, value: str) -> str:
    digest = hashlib.sha256(f"{kind}|{value}".encode()).hexdigest()[:40]
    return f"login-locks:{kind}:{digest}"


def _cool_off_seconds(previous_locks: int) -> int:
    base = max(1, settings.LOGIN_LOCKOUT_SECONDS)
    return int(min(base * 2 ** min(previous_locks, 20), settings.LOGIN_LOCKOUT_MAX_SECONDS))


class PairAndAddressCacheHandler(AxesCacheHandler):
    """Axes' cache handler with a pair limit, a higher address ceiling and growing locks."""

    def _keys(self, request: HttpRequest, credentials: dict[str, Any] | None) -> tuple[str, str]:
        pair_key, address_key = get_client_cache_keys(request, credentials)
        return pair_key, address_key

    def _lock_keys(
        self, request: HttpRequest, credentials: dict[str, Any] | None
    ) -> tuple[str, str]:
        username = get_client_username(request, credentials) or ""
        address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        return _lock_key("pair", f"{username}|{address}"), _lock_key("address", address)

    def _locked(self, request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
        pair_key, address_key = self._keys(request, credentials)
        address_failures = int(self.cache.get(address_key, default=0) or 0)
        if address_failures >= settings.LOGIN_ADDRESS_MAX_FAILURES:
            return True
        if not get_client_username(request, credentials):
            return False  # without a name the pair key is the address key
        return int(self.cache.get(pair_key, default=0) or 0) >= settings.LOGIN_MAX_FAILURES

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        return self._locked(request, credentials)

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # Only used by axes for display; the lock decision is ``is_locked``.
        pair_key, _address_key = self._keys(request, credentials)
        return int(self.cache.get(pair_key, default=0) or 0)

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: Any = None,
        **kwargs: Any,
    ) -> None:
        if request is None or self.is_whitelisted(request, credentials):
            return
        if getattr(request, "axes_locked_out", False):
            return  # refused during a lock: not counted, so the lock is not extended
        pair_lock, address_lock = self._lock_keys(request, credentials)
        pair_timeout = _cool_off_seconds(int(self.cache.get(pair_lock, default=0) or 0))
        address_timeout = _cool_off_seconds(int(self.cache.get(address_lock, default=0) or 0))
        pair_key, address_key = self._keys(request, credentials)
        counters = [(address_key, address_timeout)]
        if get_client_username(request, credentials):
            counters.append((pair_key, pair_timeout))
        for key, timeout in counters:
            if not self.cache.add(key, 1, timeout=timeout):
                self.cache.incr(key, 1)
                self.cache.touch(key, timeout=timeout)
        if not self._locked(request, credentials):
            return
        for key, count_key in ((pair_key, pair_lock), (address_key, address_lock)):
            limit = (
                settings.LOGIN_MAX_FAILURES
                if key == pair_key
                else settings.LOGIN_ADDRESS_MAX_FAILURES
            )
            if int(self.cache.get(key, default=0) or 0) >= limit:
                locks = int(self.cache.get(count_key, default=0) or 0)
                self.cache.set(count_key, locks + 1, timeout=LOCK_MEMORY_SECONDS)
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )

    def user_logged_in(self, sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        """A successful sign-in forgets that pair's failures (not the address's: an attacker
        with an account of their own must not reset the address ceiling by signing in).
        """
        super().user_logged_in(sender, request, user, **kwargs)
        pair_key, _address_key = self._keys(request, {"username": user.get_username()})
        self.cache.delete(pair_key)


def cool_off(request: HttpRequest | None) -> timedelta:
    """``AXES_COOLOFF_TIME``: the cool-off this client faces at its next lock (for the page)."""
    if request is None:
        return timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    from django.core.cache import cache

    handler = PairAndAddressCacheHandler()
    pair_lock, address_lock = handler._lock_keys(request, None)
    locks = max(int(cache.get(pair_lock) or 0), int(cache.get(address_lock) or 0))
    return timedelta(seconds=_cool_off_seconds(max(0, locks - 1)))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: a page in the interface's language, 429."""
    minutes = max(1, int(cool_off(request).total_seconds() + 59) // 60)
    return render(request, "login_locked.html", {"minutes": minutes}, status=429)
