"""A fixed-window request counter in Redis, shared by every web process.

It fails open: when Redis cannot be reached the request is let through and a warning is
logged, because refusing a supporter's upload is worse than letting a few extra through.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_clients: dict[str, redis.Redis] = {}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: int  # seconds


def rate_parse(text: str) -> Rate:
    """``"30/hour"`` -> Rate(30, 3600); units: second, minute, hour, day (or s, m, h, d)."""
    count, _, unit = text.strip().partition("/")
    unit = unit.strip().lower().rstrip("s") or "second"
    aliases = {"": "second", "m": "minute", "min": "minute", "h": "hour", "d": "day"}
    period = _PERIODS.get(aliases.get(unit, unit))
    if period is None or not count.strip().isdigit():
        raise ValueError(f"invalid rate {text!r}; expected e.g. '30/hour'")
    return Rate(limit=int(count), period=period)


def _client() -> redis.Redis:
    url = settings.REDIS_URL
    client = _clients.get(url)
    if client is None:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        _clients[url] = client
    return client


def rate_limit_hit(*, scope: str, key: str, rate: str) -> int | None:
    """Count one hit for ``key``; return seconds until the window resets when over the limit.

    Returns None when the hit is allowed, including when Redis is unreachable.
    """
    parsed = rate_parse(rate)
    now = int(time.time())
    window = now // parsed.period
    redis_key = f"ratelimit:{scope}:{key}:{window}"
    try:
        pipe = _client().pipeline(transaction=True)
        pipe.incr(redis_key)
        pipe.expire(redis_key, parsed.period + 1)
        hits, _ = pipe.execute()
    except redis.RedisError as exc:
        logger.warning("rate limit %s not enforced, Redis unavailable: %s", scope, exc)
        return None
    if int(hits) > parsed.limit:
        return max(1, (window + 1) * parsed.period - now)
    return None
