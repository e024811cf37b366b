"""Security headers on every page, and a CSP that the product's own pages obey."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"  # no inline script, no third party
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["frame-src"] == "https://www.youtube-nocookie.com"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_production_hardens_transport_and_cookies() -> None:
    import json
    import os
    import subprocess
    import sys

    from tests.support.services import ROOT

    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "postgres://u:p@db/zm",
        "REDIS_URL": "redis://redis:6379/0",
        "EMAIL_URL": "smtp+tls://mail.example.org:587",
    }
    code = (
        "import json; import config.settings.production as p; print(json.dumps({k: getattr(p, k)"
        " for k in ('SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
        " 'SECURE_SSL_REDIRECT', 'DEBUG')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    production = json.loads(out)
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["DEBUG"] is False


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_its_own_policy(page: Any, live_server: Any) -> None:
    violations: list[str] = []
    current = [""]
    page.on(
        "console",
        lambda m: (
            violations.append(f"{current[0]}: {m.text}")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    for path in ("/", "/mitmachen/", "/api/docs/", "/admin/login/"):
        current[0] = path
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    assert violations == []
