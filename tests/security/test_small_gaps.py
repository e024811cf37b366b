"""Issue 13, hole 14 (without second-factor enrolment): the smaller gaps.

Observed: no ``Permissions-Policy``; no ``Cache-Control: no-store`` on staff pages and the
status page; ``/metrics`` open to loopback without a token (a proxy on the same host makes
it public) and its token compared with ``!=``; ``/readyz`` showing the worker's host name to
anyone.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from stories.links import status_url
from stories.models import Story
from stories.tokens import new_token, token_hash

pytestmark = pytest.mark.django_db


def _policy(response: Any) -> dict[str, str]:
    header = response["Permissions-Policy"]
    return dict(part.strip().split("=", 1) for part in header.split(","))


def test_every_page_denies_browser_features_it_does_not_use(client: Client) -> None:
    for path in ("/", "/mitmachen/", "/geschichten/", "/admin/login/"):
        policy = _policy(client.get(path))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial"):
            assert policy[feature] == "()", (path, feature)
        # The video preview and the two-click YouTube embed may go full screen.
        assert policy["fullscreen"] == '(self "https://www.youtube-nocookie.com")'


def test_staff_pages_and_apis_are_never_stored(client: Client) -> None:
    staff = User.objects.create_user("mod", password="x", is_staff=True, is_superuser=True)
    client.force_login(staff)
    for path in ("/admin/", "/moderation/", "/api/v1/me/", "/betrieb/pipeline/"):
        response = client.get(path)
        assert "no-store" in response["Cache-Control"], path


def test_the_status_page_is_never_stored(client: Client) -> None:
    story = Story.objects.create(access_token_hash=token_hash(new_token()))
    response = client.get(status_url(public_id=str(story.public_id)))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_public_pages_stay_cacheable(client: Client) -> None:
    assert "no-store" not in client.get("/geschichten/").get("Cache-Control", "")


def test_metrics_need_the_token_even_from_loopback(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    settings.METRICS_TOKEN = "t0ken-for-metrics"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken-for-metricX")
    assert wrong.status_code == 401
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken-for-metrics")
    assert ok.status_code == 200 and "no-store" in ok["Cache-Control"]


def test_metrics_compare_the_token_in_constant_time() -> None:
    import inspect

    from workers import metrics

    source = inspect.getsource(metrics.operator_token_given)
    assert "hmac.compare_digest" in source


def test_readyz_tells_anonymous_callers_a_status_word_only(client: Client, settings: Any) -> None:
    from django.utils import timezone

    from workers.models import WorkerHeartbeat

    WorkerHeartbeat.objects.create(
        hostname="celery@secret-worker-host.internal", seen_at=timezone.now()
    )
    anonymous = client.get("/readyz")
    assert set(anonymous.json()) == {"status"}
    assert b"secret-worker-host" not in anonymous.content
    assert b"sqlite" not in anonymous.content and b"Storage" not in anonymous.content
    settings.METRICS_TOKEN = "ops"
    operator = client.get("/readyz", HTTP_AUTHORIZATION="Bearer ops").json()
    assert "secret-worker-host" in operator["checks"]["worker"]["detail"]


def test_staff_sessions_end_within_a_working_day(settings: Any) -> None:
    User.objects.create_user("mod2", password="right-horse-battery-9", is_staff=True)
    User.objects.create_user("partner2", password="right-horse-battery-9")
    staff = Client(REMOTE_ADDR="198.51.100.40")
    response = staff.post(
        "/admin/login/?next=/admin/",
        {"username": "mod2", "password": "right-horse-battery-9"},
    )
    assert response.status_code == 302
    limit = settings.STAFF_SESSION_HOURS * 3600
    assert limit < 14 * 24 * 3600
    assert limit - 60 < staff.session.get_expiry_age() <= limit
    assert limit - 60 < response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] <= limit
    partner = Client(REMOTE_ADDR="198.51.100.41")
    partner.post("/partner/login/", {"username": "partner2", "password": "right-horse-battery-9"})
    assert partner.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
