"""Structured logs with request and task ids, and Prometheus metrics for operators.

Logs: one JSON object per line with ``request_id`` (from ``X-Request-ID`` or generated)
and ``task_id`` (inside Celery tasks), so one submission can be followed from the web
request through every task it caused.

Redaction: private links carry their token in the path (status, confirmation, guardian and
invitation links). ``redact_url`` replaces those tokens and secret query values with
``[redacted]``; ``RedactingFilter`` applies it to every log record (message, arguments and
extra fields such as the ``request`` Django attaches to ``django.request`` warnings) on the
console handler, whatever the formatter. Gunicorn's access log uses the same function
(import ``config.observability.redact_url``).

Metrics: web processes count requests themselves; Celery workers run in other processes
(often on other machines), so task outcomes and durations are counted in Redis, and the
``/metrics`` view reads them there together with queue lengths, transcode speed and
today's YouTube quota from the database. No multiprocess directory is needed.
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
task_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("task_id", default=None)

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


# Paths whose next segment is a private token (stories/urls.py, publishing/partners/urls.py).
PRIVATE_TOKEN_PREFIXES = ("status", "bestaetigen", "einverstaendnis", "partner/einladung")
REDACTED = "[redacted]"
_TOKEN_IN_PATH = re.compile(
    r"(/(?:" + "|".join(re.escape(p) for p in PRIVATE_TOKEN_PREFIXES) + r")/)(?!link-anfordern/)"
    r"[^/?#\s'\"]+"
)
_SECRET_QUERY = re.compile(
    r"([?&](?:token|key|secret|code|password|signature|state|X-Amz-Signature|X-Amz-Credential)=)"
    r"[^&#\s'\"]*",
    re.IGNORECASE,
)


def redact_url(path: str) -> str:
    """``path`` (or any text holding URLs) with private tokens replaced by ``[redacted]``.

    ``/status/abc.def/`` -> ``/status/[redacted]/``; ``?token=x`` -> ``?token=[redacted]``.
    Works on full URLs and on whole log lines alike.
    """
    return _SECRET_QUERY.sub(r"\1" + REDACTED, _TOKEN_IN_PATH.sub(r"\1" + REDACTED, path))


class RedactingFilter(logging.Filter):
    """Removes private tokens from a record before any formatter sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is still logged, unredacted args
            return True
        redacted = redact_url(message)
        if redacted != message or record.args:
            record.msg, record.args = redacted, None
        for key, value in list(vars(record).items()):
            if key in _STANDARD or key.startswith("_"):
                continue
            if key == "request" and hasattr(value, "get_full_path"):
                setattr(record, key, f"{value.method} {redact_url(value.get_full_path())}")
            elif isinstance(value, str):
                setattr(record, key, redact_url(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := request_id_var.get():
            entry["request_id"] = request_id
        if task_id := task_id_var.get():
            entry["task_id"] = task_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestIdMiddleware:
    """Take the proxy's ``X-Request-ID`` (if sane) or make one; echo it in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        _observe_request(request, response, time.perf_counter() - started)
        return response


# --- Metrics -----------------------------------------------------------------------------
_REQUESTS: Any = None
_LATENCY: Any = None


def _web_metrics() -> tuple[Any, Any]:
    global _REQUESTS, _LATENCY
    if _REQUESTS is None:
        from prometheus_client import Counter, Histogram

        _REQUESTS = Counter("zm_http_requests", "HTTP requests", ["method", "route", "status"])
        _LATENCY = Histogram("zm_http_request_seconds", "HTTP request latency", ["route"])
    return _REQUESTS, _LATENCY


def _observe_request(request: HttpRequest, response: HttpResponse, seconds: float) -> None:
    match = getattr(request, "resolver_match", None)
    route = match.route if match is not None else "unmatched"
    requests, latency = _web_metrics()
    requests.labels(request.method, route, str(response.status_code)).inc()
    latency.labels(route).observe(seconds)


TASK_KEY = "zm:metrics:tasks"


def record_task_outcome(*, task: str, state: str, seconds: float | None) -> None:
    """Count a finished task in Redis (called from worker signals; never raises)."""
    import redis

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
        logging.getLogger(__name__).warning("could not record task metrics")


class ProductCollector:
    """Reads queue lengths and task counters from Redis and pipeline figures from the DB."""

    def collect(self) -> Iterable[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        queues = GaugeMetricFamily(
            "zm_queue_length", "Messages waiting per queue", labels=["queue"]
        )
        tasks = CounterMetricFamily("zm_tasks", "Finished tasks", labels=["task", "state"])
        seconds = CounterMetricFamily(
            "zm_task_seconds", "Time spent in tasks", labels=["task", "state"]
        )
        up = GaugeMetricFamily("zm_redis_up", "Redis answers")
        try:
            import redis

            from config.celery_app import QUEUES

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
    from prometheus_client.core import GaugeMetricFamily

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
    yield from _quota_metrics()


def _quota_metrics() -> Iterable[Any]:
    from prometheus_client.core import GaugeMetricFamily

    try:
        from publishing.youtube.selectors import quota_usage
    except ImportError:
        return
    usage = quota_usage()
    family = GaugeMetricFamily("zm_youtube_quota_used", "YouTube quota used today", labels=["kind"])
    family.add_metric(["units"], float(usage.units_used))
    family.add_metric(["uploads"], float(usage.uploads_used))
    yield family


def _count_by(queryset: Any, field: str) -> list[tuple[str, int]]:
    from django.db.models import Count

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
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

    if not settings.METRICS_TOKEN:
        raise Http404("metrics are off: set METRICS_TOKEN")
    if not operator_token_given(request):
        response = HttpResponse(
            "metrics need a bearer token\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    _register_collector()
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


_registered = False


def _register_collector() -> None:
    global _registered
    if not _registered:
        from prometheus_client import REGISTRY

        REGISTRY.register(ProductCollector())
        _registered = True
