"""Partner kit generation on the default queue."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from publishing.partners.selectors import kit_find_stuck
from publishing.partners.services import kit_generate, kit_mark_failed
from workers.reconcile import JobKind, register

logger = logging.getLogger(__name__)


class KitTask(Task):
    """Marks the kit failed with a readable reason once the task gives up."""

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        kit_id = args[0] if args else kwargs.get("kit_id")
        if kit_id is not None:
            kit_mark_failed(kit_id=int(kit_id), reason=f"{type(exc).__name__}: {exc}")


@shared_task(
    base=KitTask,
    name="workers.tasks.kits.generate_kit",
    acks_late=True,
    reject_on_worker_lost=True,
    # Storage (S3) and database hiccups are worth a retry; template or font errors are not.
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=10,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=240,
    time_limit=300,
)
def generate_kit(kit_id: int) -> None:
    """Render one partner's (or the public) kit; idempotent, a no-op when it is up to date.

    Broken templates (ValueError, KeyError) and unreadable files (OSError) fail the kit with
    the reason; the soft time limit fails it too.
    """
    try:
        kit_generate(kit_id=kit_id)
    except SoftTimeLimitExceeded:
        kit_mark_failed(kit_id=kit_id, reason="Zeitlimit überschritten")
        raise


def _find_stuck(now: Any) -> list[int]:
    """Kits asked for but not generated: lost messages or dead workers (one selector)."""
    return kit_find_stuck(now=now)


def _enqueue(kit_id: int) -> None:
    generate_kit.delay(kit_id)


register(JobKind(name="partner-kit", find_stuck=_find_stuck, enqueue=_enqueue))
