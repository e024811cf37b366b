"""Request ids in logs and responses; Prometheus metrics for operators."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from config.observability import JsonFormatter, request_id_var
from tests.support.services import CeleryWorker, wait_for


def test_json_log_lines_carry_the_request_id() -> None:
    token = request_id_var.set("req-123")
    try:
        record = logging.makeLogRecord(
            {
                "name": "stories",
                "levelname": "INFO",
                "msg": "saved %s",
                "args": ("draft",),
                "story": 7,
            }
        )
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["message"] == "saved draft"
    assert line["request_id"] == "req-123"
    assert line["story"] == 7


@pytest.mark.django_db
def test_responses_echo_a_safe_request_id(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-42")["X-Request-ID"] == "abc-42"
    generated = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert len(generated) == 32 and generated.isalnum()


@pytest.mark.worker
def test_metrics_show_requests_queues_and_tasks(
    client: Client, celery_worker: CeleryWorker, settings: Any
) -> None:
    from workers.tasks.maintenance import heartbeat

    settings.METRICS_TOKEN = "scrape-token"
    auth = {"HTTP_AUTHORIZATION": "Bearer scrape-token"}
    heartbeat.delay()
    client.get("/healthz")

    def task_counted() -> bool:
        body = client.get("/metrics", **auth).content.decode()
        return 'zm_tasks_total{state="SUCCESS",task="workers.tasks.maintenance.heartbeat"}' in body

    wait_for(task_counted, timeout=30, what="the heartbeat task in /metrics")
    body = client.get("/metrics", **auth).content.decode()
    assert 'zm_http_requests_total{method="GET",route="healthz",status="200"}' in body
    assert 'zm_queue_length{queue="transcode"}' in body
    assert "zm_redis_up 1.0" in body
    assert "zm_youtube_quota_used" in body


@pytest.mark.django_db
def test_metrics_are_for_operators_only(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404  # no token configured: no endpoint
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 401  # loopback is not enough
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert ok.status_code == 200 and b"zm_http_requests_total" in ok.content
