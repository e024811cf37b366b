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

Metrics live in the operations layer, ``workers.metrics``; the middleware here only hands
each request's route, status and duration to it.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

from workers.metrics import observe_request

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
        observe_request(request, response, time.perf_counter() - started)
        return response
