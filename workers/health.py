"""Liveness and readiness probes for orchestrators and operators."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kernel.storage import media_backend_path
from workers.metrics import operator_token_given


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and answers; checks nothing else."""
    return JsonResponse({"status": "ok"})


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "detail": connection.vendor}


def check_redis() -> dict[str, Any]:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True, "detail": "ping answered"}


def check_storage() -> dict[str, Any]:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    backend: str = media_backend_path()
    return {"ok": True, "detail": backend.rsplit(".", 1)[-1]}


def check_worker() -> dict[str, Any]:
    from workers.selectors import heartbeat_is_fresh, heartbeat_latest

    beat = heartbeat_latest()
    if not heartbeat_is_fresh(heartbeat=beat):
        seen = beat.seen_at.isoformat() if beat else "never"
        return {"ok": False, "detail": f"no fresh worker heartbeat (last: {seen})"}
    assert beat is not None
    return {"ok": True, "detail": f"{beat.hostname} at {beat.seen_at.isoformat()}"}


READINESS_CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "storage": check_storage,
    "worker": check_worker,
}


def run_checks() -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a readable entry
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    return results


def details_allowed(request: HttpRequest) -> bool:
    """Operators (the metrics bearer token) and signed-in staff see what each check found."""
    user = getattr(request, "user", None)
    return operator_token_given(request) or bool(user is not None and user.is_staff)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready when the database, Redis, storage and at least one worker all answer.

    Anonymous callers get the status word only (``ok`` or ``unavailable``): host names,
    backends and error texts are for operators (``Authorization: Bearer <METRICS_TOKEN>``)
    and signed-in staff.
    """
    checks = run_checks()
    ready = all(result["ok"] for result in checks.values())
    body: dict[str, Any] = {"status": "ok" if ready else "unavailable"}
    if details_allowed(request):
        body["checks"] = checks
    return JsonResponse(body, status=200 if ready else 503)
