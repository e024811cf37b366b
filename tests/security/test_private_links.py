"""Issue 13, hole 11: private tokens in logs, links that never expire.

Observed: status, confirmation and invitation URLs appeared in access logs and in
``django.request`` warnings; production's default e-mail backend was the console, so mails
with links went to stdout; a status link could never be retired.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from stories.links import confirm_url, guardian_url, status_url
from stories.models import Story
from stories.tokens import new_token, token_hash
from tests.support.services import ROOT

pytestmark = pytest.mark.django_db


def _story(**fields: Any) -> Story:
    return Story.objects.create(
        access_token_hash=token_hash(new_token()),
        status=Story.Status.IN_REVIEW,
        title="Gemeinsam stark",
        submitter_name="Jonas",
        submitter_email="jonas@example.org",
        **fields,
    )


def _token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_django_request_warnings_carry_no_token() -> None:
    story = _story()
    token = _token_of(status_url(public_id=str(story.public_id)))
    forged = token[:-3] + "xyz"  # a wrong signature: 404 and a django.request warning
    # The console handler the LOGGING setting configured, writing into a buffer for a while.
    (handler,) = [h for h in logging.getLogger("django").handlers if h.name == "console"]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        assert Client().get(f"/status/{forged}/").status_code == 404
        assert Client().get(f"/bestaetigen/{forged}/?token={forged}").status_code == 404
    finally:
        handler.setStream(previous)
    logged = buffer.getvalue()
    assert "Not Found: /status/[redacted]/" in logged
    assert forged not in logged


def test_json_log_lines_carry_no_token() -> None:
    from config.observability import JsonFormatter, RedactingFilter

    story = _story()
    urls = [
        status_url(public_id=str(story.public_id)),
        confirm_url(public_id=str(story.public_id)),
        guardian_url(public_id=str(story.public_id)),
        "https://example.org/partner/einladung/Zm9vYmFyLWludml0YXRpb24/",
    ]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.security.private_links")
    logger.addHandler(handler)
    try:
        for url in urls:
            request = RequestFactory().get(url.split("example.org", 1)[-1].split(":8000")[-1])
            logger.warning("Not Found: %s", url, extra={"request": request, "link": url})
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 4
    for url, line in zip(urls, lines, strict=True):
        text = json.dumps(line)
        assert _token_of(url) not in text
        assert "[redacted]" in line["message"] and "[redacted]" in line["request"]


def test_redact_url_serves_the_access_log_too() -> None:
    from config.observability import redact_url

    line = '203.0.113.5 - - "GET /status/abc.def-ghi/?token=s3cret HTTP/1.1" 200 512'
    redacted = redact_url(line)
    assert "abc.def-ghi" not in redacted and "s3cret" not in redacted
    assert redact_url("/geschichten/gemeinsam-stark/") == "/geschichten/gemeinsam-stark/"


def _production(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "postgres://u:p@db/zm",
        "REDIS_URL": "redis://redis:6379/0",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_the_console_mail_backend() -> None:
    refused = _production()  # EMAIL_URL defaults to consolemail://
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert refused.stderr.startswith("Configuration error:")
    assert "EMAIL_ALLOW_CONSOLE" in refused.stderr and len(refused.stderr.splitlines()) == 1
    allowed = _production(EMAIL_ALLOW_CONSOLE="true")
    assert "Configuration error" not in allowed.stderr
    smtp = _production(EMAIL_URL="smtp+tls://mail.example.org:587")
    assert "Configuration error" not in smtp.stderr


def test_a_fresh_status_link_retires_the_old_one(
    settings: Any, client_ip: str, django_capture_on_commit_callbacks: Any
) -> None:
    from stories.notifications import status_link_send

    story = _story()
    old = status_url(public_id=str(story.public_id))
    assert Client().get(old).status_code == 200

    with django_capture_on_commit_callbacks() as callbacks:
        page = Client(REMOTE_ADDR=client_ip).post(
            "/status/link-anfordern/", {"email": "Jonas@Example.org"}
        )
    assert page.status_code == 200 and "Wenn zu dieser Adresse" in page.content.decode()
    assert len(callbacks) == 1  # the mail task, enqueued after commit
    assert status_link_send(story_id=story.pk)  # what the task does, in this process
    new = next(line for line in mail.outbox[-1].body.splitlines() if "/status/" in line)
    assert new.strip() != old
    assert Client().get(old).status_code == 404  # the old link is retired
    assert Client().get(new.strip()).status_code == 200


def test_the_answer_is_the_same_for_unknown_addresses(client_ip: str) -> None:
    _story()
    known = Client(REMOTE_ADDR=client_ip).post(
        "/status/link-anfordern/", {"email": "jonas@example.org"}
    )
    unknown = Client(REMOTE_ADDR=client_ip).post(
        "/status/link-anfordern/", {"email": "nobody@example.org"}
    )
    assert known.status_code == unknown.status_code == 200
    strip = [b"csrfmiddlewaretoken", b"X-Request-ID"]
    assert [ln for ln in known.content.splitlines() if not any(s in ln for s in strip)] == [
        ln for ln in unknown.content.splitlines() if not any(s in ln for s in strip)
    ]


def test_status_link_requests_are_rate_limited(settings: Any, client_ip: str) -> None:
    settings.STATUS_LINK_REQUEST_RATE = "2/hour"
    answers = [
        Client(REMOTE_ADDR=client_ip).post(
            "/status/link-anfordern/", {"email": f"n{n}@example.org"}
        )
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
