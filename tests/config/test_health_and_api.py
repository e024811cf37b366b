"""Health probes, the API's schema and its one error shape."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from moderation.models import IntegrationToken
from tests.support.services import wait_for


def test_healthz_answers_without_touching_anything(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_dependency_readably(client: Client, settings: object) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # type: ignore[attr-defined]
    settings.METRICS_TOKEN = "ops-token"  # type: ignore[attr-defined]
    response = client.get("/readyz", HTTP_AUTHORIZATION="Bearer ops-token")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["storage"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is False
    assert "Connection refused" in body["checks"]["redis"]["detail"]
    assert body["checks"]["worker"]["detail"].startswith("no fresh worker heartbeat")


@pytest.mark.worker
def test_readyz_is_ready_when_a_worker_consumes(
    client: Client, celery_worker: object, settings: object
) -> None:
    from workers.tasks.maintenance import heartbeat

    settings.METRICS_TOKEN = "ops-token"  # type: ignore[attr-defined]
    heartbeat.delay()
    wait_for(lambda: client.get("/readyz").status_code == 200, timeout=30, what="readiness")
    body = client.get("/readyz", HTTP_AUTHORIZATION="Bearer ops-token").json()
    assert body["status"] == "ok"
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_schema_and_docs_are_served(client: Client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    assert b"/api/v1/campaign/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs.content
    assert b"cdn.jsdelivr" not in docs.content  # no third-party requests, works offline


@pytest.mark.django_db
def test_errors_have_one_shape(client: Client) -> None:
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert response.json() == {
        "message": "Anmeldedaten fehlen.",
        "extra": {},
    }


@pytest.mark.django_db
def test_token_auth_for_integrations(client: Client) -> None:
    user = User.objects.create_user("integration", password="x-very-long-pass-1")
    user.groups.add(Group.objects.get_or_create(name="moderator")[0])
    _token, key = IntegrationToken.objects.create(user=user, name="integration")
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json() == {"username": "integration", "roles": ["moderator"]}


def test_openapi_schema_is_valid_and_complete() -> None:
    """Every API view documents its request and response; component names never collide."""
    import subprocess
    import sys

    from tests.support.services import ROOT

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            "/dev/null",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
