"""The Celery application: Redis broker, JSON only, one queue per kind of work."""

from __future__ import annotations

import os

from celery import Celery
from kombu import Queue

from kernel.queue import QUEUES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("zusammen_mehr")
app.config_from_object("django.conf:settings", namespace="CELERY")

app.conf.task_queues = [Queue(name) for name in QUEUES]
app.conf.task_default_queue = "default"
# Routing by task module: CPU-heavy media work, YouTube I/O and everything else.
TASK_ROUTES = {
    # Removing location tags from a new upload must not wait behind other transcodes.
    "workers.tasks.media.strip_original": {"queue": "default"},
    "workers.tasks.media.*": {"queue": "transcode"},
    "workers.tasks.publish.*": {"queue": "publish"},
    "workers.tasks.*": {"queue": "default"},
}
app.conf.task_routes = dict(TASK_ROUTES)
app.conf.imports = [
    "workers.tasks.maintenance",
    "workers.tasks.media",
    "workers.tasks.mail",
    "workers.tasks.publish",
    "workers.tasks.moderation",
    "workers.tasks.kits",
    "workers.tasks.retention",
    *[name for name in os.environ.get("CELERY_EXTRA_IMPORTS", "").split(",") if name],
]
app.autodiscover_tasks(["workers"], related_name="tasks", force=False)


def _beat_schedule() -> dict[str, dict[str, object]]:
    from django.conf import settings

    return {
        "reconcile-stuck-jobs": {
            "task": "workers.tasks.maintenance.reconcile",
            "schedule": float(settings.CELERY_RECONCILE_INTERVAL),
        },
        "expire-unfinished-uploads": {
            "task": "workers.tasks.maintenance.expire_uploads",
            "schedule": 3600.0,
        },
        "worker-heartbeat": {
            "task": "workers.tasks.maintenance.heartbeat",
            "schedule": float(settings.CELERY_HEARTBEAT_INTERVAL),
        },
        "retention": {
            "task": "workers.tasks.retention.run_retention",
            "schedule": float(settings.RETENTION_INTERVAL_MINUTES) * 60.0,
        },
        "withdrawal-followup": {
            "task": "workers.tasks.retention.withdrawal_followup",
            "schedule": float(settings.GALLERY_WITHDRAWAL_SWEEP_SECONDS),
        },
        # YouTube: a takedown not on YouTube after 15 minutes e-mails the admins; what
        # changed on YouTube behind our back is read back (videos.list, 1 unit per 50).
        "youtube-takedown-watch": {
            "task": "workers.tasks.publish.takedown_watch",
            "schedule": 60.0,
        },
        "youtube-reconcile": {
            "task": "workers.tasks.publish.reconcile_youtube",
            "schedule": float(settings.YOUTUBE_RECONCILE_MINUTES) * 60.0,
        },
        "moderation-digest": {
            "task": "workers.tasks.moderation.send_digest",
            "schedule": float(settings.MODERATION_DIGEST_HOURS) * 3600.0,
        },
    }


@app.on_after_finalize.connect
def _install_beat_schedule(sender: Celery, **_: object) -> None:
    sender.conf.beat_schedule = _beat_schedule()


@app.on_after_configure.connect
def _connect_worker_signals(sender: Celery, **_: object) -> None:
    from celery.signals import (
        celeryd_after_setup,
        task_failure,
        task_postrun,
        task_prerun,
        worker_ready,
    )

    celeryd_after_setup.connect(_preflight, weak=False)
    worker_ready.connect(_first_heartbeat, weak=False)
    task_prerun.connect(_task_started, weak=False)
    task_postrun.connect(_task_finished, weak=False)
    task_failure.connect(_task_failed, weak=False)


_task_started_at: dict[str, float] = {}


def _task_started(task_id: str, **_: object) -> None:
    import time

    from config.observability import task_id_var

    task_id_var.set(task_id)
    _task_started_at[task_id] = time.monotonic()


def _task_finished(task_id: str, task: object, state: str | None = None, **_: object) -> None:
    import time

    from config.observability import task_id_var
    from workers.metrics import record_task_outcome

    started = _task_started_at.pop(task_id, None)
    seconds = time.monotonic() - started if started is not None else None
    record_task_outcome(task=getattr(task, "name", "?"), state=state or "UNKNOWN", seconds=seconds)
    task_id_var.set(None)


def _task_failed(sender: object = None, **_: object) -> None:
    import logging

    logging.getLogger("workers").error("task %s failed", getattr(sender, "name", "?"))


def _preflight(sender: str, instance: object, **_: object) -> None:
    """Refuse to start a media worker without ffmpeg, with a message saying what to do."""
    import shutil
    import sys

    queues = {q.name for q in app.amqp.queues.consume_from.values()} if app.amqp.queues else set()
    if "transcode" in queues and not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        sys.stderr.write(
            "ERROR: this worker consumes the 'transcode' queue but ffmpeg/ffprobe are not "
            "installed. Install them (Debian: apt-get install ffmpeg) or run "
            "`make run`, which installs them.\n"
        )
        raise SystemExit(2)


def _first_heartbeat(sender: object, **_: object) -> None:
    from workers.services import heartbeat_record

    hostname = getattr(sender, "hostname", None) or "worker"
    try:
        heartbeat_record(hostname=str(hostname))
    except Exception:  # a missing table before migrate must not kill the worker
        import logging

        logging.getLogger(__name__).exception("could not record the first heartbeat")
