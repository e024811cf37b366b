"""Enqueueing from the web side: by task name, after commit, never failing the request.

The database row is the source of truth for every job. If Redis is unreachable when a
service wants to enqueue, the request still succeeds: the row stays pending and the
periodic reconciler sends the task once the broker is back. Apps enqueue by task name, so
they never import the worker modules.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# One queue per kind of work: everything else, CPU-heavy media work, YouTube I/O.
QUEUES = ("default", "transcode", "publish")


def enqueue(task_name: str, *args: Any, **options: Any) -> bool:
    """Send ``task_name`` with ``args``; False (and a log line) when the broker is down."""
    try:
        current_app.send_task(task_name, args=list(args), **options)
    except (OperationalError, ConnectionError, OSError):
        logger.warning(
            "broker unreachable: %s%r stays pending for the reconciler",
            task_name,
            args,
            exc_info=True,
        )
        return False
    return True


def enqueue_on_commit(task_name: str, *args: Any, **options: Any) -> None:
    """Enqueue once the current transaction commits (immediately outside one)."""
    transaction.on_commit(partial(enqueue, task_name, *args, **options))
