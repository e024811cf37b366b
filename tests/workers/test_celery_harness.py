"""The real broker and the real worker: delivery, results in the database, redelivery."""

from __future__ import annotations

import uuid

import pytest

from tests.support.services import CeleryWorker, RedisServer, wait_for
from workers.models import WorkerHeartbeat

pytestmark = pytest.mark.worker


def test_task_through_broker_lands_in_database(celery_worker: CeleryWorker) -> None:
    from workers.tasks.maintenance import heartbeat

    WorkerHeartbeat.objects.all().delete()
    heartbeat.delay()
    wait_for(WorkerHeartbeat.objects.exists, timeout=30, what="the heartbeat row")
    row = WorkerHeartbeat.objects.get()
    assert row.hostname.startswith("test-")
    assert row.beats >= 1


def test_task_killed_with_its_worker_process_is_delivered_again_and_completes_once(
    celery_worker: CeleryWorker, redis_server: RedisServer
) -> None:
    from tests.support.tasks import slow_count

    key = f"harness:{uuid.uuid4().hex}"
    client = redis_server.client()
    slow_count.delay(key, 3)
    wait_for(lambda: client.get(f"{key}:started") == b"1", timeout=30, what="the task to start")
    celery_worker.kill_pool_process()
    wait_for(
        lambda: client.get(f"{key}:finished") == b"1",
        timeout=60,
        what="the redelivered task to finish",
    )
    assert client.get(f"{key}:started") == b"2"
    assert client.get(f"{key}:finished") == b"1"
    assert "WorkerLostError" in celery_worker.log_tail(200)


def test_tasks_are_routed_to_their_queue_by_module() -> None:
    from celery.app.routes import MapRoute

    from config.celery_app import TASK_ROUTES, app

    # The configured table itself: some test modules re-route publishing to a private queue.
    route = MapRoute(TASK_ROUTES)
    assert route("workers.tasks.media.transcode_upload")["queue"] == "transcode"
    assert route("workers.tasks.publish.publish_story")["queue"] == "publish"
    assert route("workers.tasks.maintenance.reconcile")["queue"] == "default"
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.accept_content == ["json"]
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert visibility > app.conf.task_time_limit
