"""Reads about the workers."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import WorkerHeartbeat


def heartbeat_latest() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-seen_at").first()


def heartbeat_is_fresh(*, heartbeat: WorkerHeartbeat | None) -> bool:
    """A heartbeat is fresh when it is younger than three beat intervals."""
    if heartbeat is None:
        return False
    limit = timedelta(seconds=3 * settings.CELERY_HEARTBEAT_INTERVAL)
    return timezone.now() - heartbeat.seen_at <= limit
