"""Periodic housekeeping on the default queue."""

from __future__ import annotations

import socket

from celery import shared_task
from django.utils import timezone


@shared_task(name="workers.tasks.maintenance.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Prove that beat, Redis, a worker and the database work together."""
    from workers.services import heartbeat_record

    hostname = heartbeat.request.hostname or socket.gethostname()
    heartbeat_record(hostname=hostname)


@shared_task(name="workers.tasks.maintenance.reconcile", ignore_result=True)
def reconcile() -> dict[str, int]:
    """Re-enqueue jobs that the database says are pending but no worker is doing."""
    from workers.reconcile import reconcile_all

    return reconcile_all(now=timezone.now())


@shared_task(name="workers.tasks.maintenance.expire_uploads", ignore_result=True)
def expire_uploads() -> dict[str, int]:
    """Remove unfinished uploads older than UPLOAD_EXPIRY_HOURS; report what was freed."""
    from stories.uploads.services import uploads_expire

    report = uploads_expire(now=timezone.now())
    return {"count": report.count, "bytes_freed": report.bytes_freed}
