"""Prometheus metrics for operators: web requests, task outcomes, queues, media and quota.

Web requests are counted by the process that served them. Under gunicorn there are several
such processes, so ``config/gunicorn.py`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh
directory before any worker starts, and prometheus_client's multiprocess mode keeps each
process's figures in a file there; a scrape adds them up (``MultiProcessCollector``), so the
numbers no longer jump with whichever worker answers. Without that variable (``make run``,
tests) the process's own registry is used.

Celery workers run in other processes, often on other machines, so task outcomes and
durations are counted in Redis, and the ``/metrics`` view reads them there together with
queue lengths, transcode speed and today's YouTube quota from the database.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterable
from typing import Any

import redis
from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from kernel.queue import QUEUES

logger = logging.getLogger(__name__)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
TASK_KEY = "zm:metrics:tasks"

REQUESTS = Counter("zm_http_requests", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("zm_http_request_seconds", "HTTP request latency", ["route"])


def observe_request(request: HttpRequest, response: HttpResponse, seconds: float) -> None:
    match = getattr(request, "resolver_match", None)
    route = match.route if match is not None else "unmatched"
    REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    LATENCY.labels(route).observe(seconds)


def record_task_outcome(*, task: str, state: str, seconds: float | None) -> None:
    """Count a finished task in Redis (called from worker signals; never raises)."""
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        pipe = client.pipeline()
        pipe.hincrby(TASK_KEY, f"{task}|{state}|count", 1)
        if seconds is not None:
            pipe.hincrbyfloat(TASK_KEY, f"{task}|{state}|seconds", seconds)
        pipe.execute()
        client.close()
    except redis.RedisError:
        logger.warning("could not record task metrics")


class ProductCollector:
    """Reads queue lengths and task counters from Redis and pipeline figures from the DB."""

    def collect(self) -> Iterable[Any]:
        queues = GaugeMetricFamily(
            "zm_queue_length", "Messages waiting per queue", labels=["queue"]
        )
        tasks = CounterMetricFamily("zm_tasks", "Finished tasks", labels=["task", "state"])
        seconds = CounterMetricFamily(
            "zm_task_seconds", "Time spent in tasks", labels=["task", "state"]
        )
        up = GaugeMetricFamily("zm_redis_up", "Redis answers")
        try:
            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
            )
            for queue in QUEUES:
                queues.add_metric([queue], client.llen(queue))
            for raw_key, raw_value in client.hgetall(TASK_KEY).items():
                key = raw_key.decode() if isinstance(raw_key, bytes) else str(raw_key)
                task, state, kind = key.split("|")
                family = tasks if kind == "count" else seconds
                family.add_metric([task, state], float(raw_value))
            client.close()
            up.add_metric([], 1)
        except Exception:  # noqa: BLE001 - a scrape must still answer when Redis is down
            up.add_metric([], 0)
        yield from (queues, tasks, seconds, up)
        yield from _database_metrics()


def _database_metrics() -> Iterable[Any]:
    # Imported here, not at the top: the logging configuration imports this module (through
    # config.observability) before Django's app registry is ready.
    from publishing.youtube.selectors import quota_usage
    from stories.models import StoryMedia

    media = GaugeMetricFamily("zm_media_jobs", "Media jobs by state", labels=["state"])
    for state, count in _count_by(StoryMedia.objects.filter(is_current=True), "state"):
        media.add_metric([state], count)
    yield media
    speed = GaugeMetricFamily(
        "zm_transcode_speed_ratio", "Mean transcode speed of the last 20 jobs (media s per wall s)"
    )
    recent = StoryMedia.objects.filter(state=StoryMedia.State.READY).order_by("-finished_at")
    ratios = [m.summary.get("speed_x") for m in recent.only("summary")[:20]]
    ratios = [float(r) for r in ratios if r]
    speed.add_metric([], sum(ratios) / len(ratios) if ratios else 0.0)
    yield speed
    usage = quota_usage()
    quota = GaugeMetricFamily("zm_youtube_quota_used", "YouTube quota used today", labels=["kind"])
    quota.add_metric(["units"], float(usage.units_used))
    quota.add_metric(["uploads"], float(usage.uploads_used))
    yield quota


def _count_by(queryset: Any, field: str) -> list[tuple[str, int]]:
    return [(row[field], row["n"]) for row in queryset.values(field).annotate(n=Count("id"))]


def operator_token_given(request: HttpRequest) -> bool:
    """Does the request carry ``Authorization: Bearer <METRICS_TOKEN>``? Never without a token.

    Compared in constant time. Loopback is not trusted: a proxy on the same host would make
    every visitor look local.
    """
    token = settings.METRICS_TOKEN
    if not token:
        return False
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for operators holding the bearer token ``METRICS_TOKEN``.

    Without a configured token the endpoint does not exist (404 for everyone).
    """
    if not settings.METRICS_TOKEN:
        raise Http404("metrics are off: set METRICS_TOKEN")
    if not operator_token_given(request):
        response = HttpResponse(
            "metrics need a bearer token\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_scrape_registry()), content_type=CONTENT_TYPE_LATEST)


_registered = False


def _scrape_registry() -> Any:
    """Every web process's figures (multiprocess mode) or this process's, plus the product's."""
    global _registered
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(ProductCollector())
        return registry
    if not _registered:
        REGISTRY.register(ProductCollector())
        _registered = True
    return REGISTRY
