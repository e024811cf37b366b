"""Writes about the workers themselves."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from .models import WorkerHeartbeat


def heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    """Record that ``hostname`` is alive and consuming; creates its row the first time."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(hostname=hostname).update(
        seen_at=now, beats=F("beats") + 1
    )
    if not updated:
        WorkerHeartbeat.objects.get_or_create(
            hostname=hostname, defaults={"seen_at": now, "beats": 1}
        )
    return WorkerHeartbeat.objects.get(hostname=hostname)
