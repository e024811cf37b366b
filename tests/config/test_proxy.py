"""The real client address behind a trusted proxy (config/proxy.py), and nobody else's word.

Findings 2 and 3 of issue 12: every limit keys on REMOTE_ADDR, which behind nginx is nginx;
and production believed X-Forwarded-Proto from anyone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Any

import pytest
from django.test import Client

from config.proxy import _networks, client_address
from stories.models import Region, Topic
from tests.config.test_release import BUILD_ENV
from tests.support.services import ROOT

pytestmark = pytest.mark.django_db

PROXY = "192.0.2.10"


def _address() -> str:
    """A fresh address per call, so rate-limit windows in the shared Redis never collide."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250}"


def _story_fields() -> dict[str, str]:
    return {
        "title": "Gemeinsam stark",
        "text": "Seit zwei Jahren trainieren wir zusammen im Sportverein von Peine.",
        "region_id": str(Region.objects.get(slug="peine").pk),
        "topic_id": str(Topic.objects.get(slug="ehrenamt-und-sport").pk),
    }


def _start_draft(*, peer: str, forwarded_for: str | None = None) -> int:
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return Client(REMOTE_ADDR=peer).post("/mitmachen/", _story_fields(), **headers).status_code


def test_two_clients_behind_the_trusted_proxy_have_separate_windows(settings: Any) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    settings.FORM_DRAFT_RATE = "1/hour"
    first, second = _address(), _address()
    assert _start_draft(peer=PROXY, forwarded_for=first) == 302
    assert _start_draft(peer=PROXY, forwarded_for=second) == 302  # not the proxy's window
    assert _start_draft(peer=PROXY, forwarded_for=first) == 429  # but the client's own


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    settings.FORM_DRAFT_RATE = "1/hour"
    attacker = _address()
    assert _start_draft(peer=attacker, forwarded_for=_address()) == 302
    # A new made-up address per request does not buy a new window.
    assert _start_draft(peer=attacker, forwarded_for=_address()) == 429


def test_nobody_is_trusted_by_default(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    settings.FORM_DRAFT_RATE = "1/hour"
    proxy = _address()
    assert _start_draft(peer=proxy, forwarded_for=_address()) == 302
    assert _start_draft(peer=proxy, forwarded_for=_address()) == 429


def test_the_client_is_the_right_most_untrusted_hop() -> None:
    networks = _networks(("192.0.2.0/28", "2001:db8::/64"))
    # The client wrote the left part itself; only what our proxies appended counts.
    assert client_address("192.0.2.1", "6.6.6.6, 198.51.100.7, 192.0.2.2", networks) == (
        "198.51.100.7"
    )
    assert client_address("192.0.2.1", "198.51.100.7", networks) == "198.51.100.7"
    assert client_address("192.0.2.1", "2001:db8::5, 192.0.2.3", networks) == "2001:db8::5"
    assert client_address("192.0.2.1", "not-an-ip, 192.0.2.3", networks) == "192.0.2.3"
    assert client_address("192.0.2.1", "garbage", networks) == "192.0.2.1"


def test_the_scheme_comes_from_trusted_proxies_only(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["192.0.2.0/28"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = []
    proxied = Client(REMOTE_ADDR="192.0.2.3").get("/impressum/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    assert "Strict-Transport-Security" in proxied or not settings.SECURE_HSTS_SECONDS
    plain = Client(REMOTE_ADDR="192.0.2.3").get("/impressum/", HTTP_X_FORWARDED_PROTO="http")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    spoofed = Client(REMOTE_ADDR=_address()).get("/impressum/", HTTP_X_FORWARDED_PROTO="https")
    assert spoofed.status_code == 301  # an untrusted "https" is not believed


def test_production_settings_do_not_trust_the_proto_header_from_everyone() -> None:
    env = {**os.environ, **BUILD_ENV}
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "None"


def test_a_bad_trusted_proxies_entry_fails_at_start(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from config.proxy import TrustedProxyMiddleware

    settings.TRUSTED_PROXIES = ["nginx.internal"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        TrustedProxyMiddleware(lambda request: None)  # type: ignore[arg-type, return-value]
