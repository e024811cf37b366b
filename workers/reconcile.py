"""Re-enqueue work that the database says is pending but no worker is doing.

The database row is the source of truth for every job. A message can be lost (Redis was
down when the web process tried to enqueue, or a worker died after taking it); each kind
of job registers how to find its stuck rows and how to enqueue one, and the periodic
``reconcile`` task asks every kind in turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    name: str
    find_stuck: Callable[[datetime], Iterable[int]]
    enqueue: Callable[[int], None]


_REGISTRY: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    _REGISTRY[kind.name] = kind
    return kind


def registered() -> list[JobKind]:
    return list(_REGISTRY.values())


def reconcile_all(*, now: datetime) -> dict[str, int]:
    """Enqueue every stuck job once; returns how many of each kind were re-enqueued."""
    counts: dict[str, int] = {}
    for kind in registered():
        ids = list(kind.find_stuck(now))
        for job_id in ids:
            kind.enqueue(job_id)
        counts[kind.name] = len(ids)
        if ids:
            logger.warning("reconcile: re-enqueued %d stuck %s job(s)", len(ids), kind.name)
    return counts
