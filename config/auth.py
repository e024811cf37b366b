"""Login throttling: too many failed sign-ins for one account or address lock it for a while.

Counted in Redis, so every web process sees the same numbers. Used by every login that goes
through ``authenticate()`` (admin, moderation, partner area). Fails open, with a warning,
when Redis is down: staff must still be able to sign in during an incident.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _keys(username: str, request: HttpRequest | None) -> list[str]:
    ip = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    digest = hashlib.sha256(f"{username.lower()}|{settings.SECRET_KEY}".encode()).hexdigest()[:32]
    keys = [f"zm:login-fail:user:{digest}"]
    if ip:
        keys.append(f"zm:login-fail:ip:{hashlib.sha256(ip.encode()).hexdigest()[:32]}")
    return keys


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def login_is_locked(username: str, request: HttpRequest | None) -> bool:
    try:
        counts = _client().mget(_keys(username, request))
    except redis.RedisError:
        logger.warning("login throttle unavailable (Redis down); letting the attempt through")
        return False
    return any(int(c or 0) >= settings.LOGIN_MAX_FAILURES for c in counts)


@receiver(user_login_failed)
def _count_failure(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    username = str(credentials.get("username", ""))
    try:
        pipe = _client().pipeline()
        for key in _keys(username, request):
            pipe.incr(key)
            pipe.expire(key, settings.LOGIN_LOCKOUT_SECONDS)
        pipe.execute()
    except redis.RedisError:
        logger.warning("could not count a failed login (Redis down)")


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing every attempt while the account or address is locked."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username and login_is_locked(username, request):
            logger.warning("login locked after too many failures", extra={"user_hint": "hidden"})
            raise PermissionDenied("too many failed logins")
        return super().authenticate(request, username=username, password=password, **kwargs)
