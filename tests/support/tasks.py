"""A task that exists only for the worker-harness tests (loaded via CELERY_EXTRA_IMPORTS)."""

from __future__ import annotations

import time

import redis
from celery import shared_task
from django.conf import settings


@shared_task(name="tests.support.tasks.slow_count", acks_late=True, reject_on_worker_lost=True)
def slow_count(key: str, seconds: float) -> None:
    """Count every start and every finish of ``key`` in Redis, sleeping in between."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.incr(f"{key}:started")
    time.sleep(seconds)
    client.incr(f"{key}:finished")
