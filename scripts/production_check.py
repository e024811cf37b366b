"""make production-check: the production shape on loopback, from a release build, without Docker.

Starts, in a temporary folder: a release build (scripts/build-release), a throw-away
PostgreSQL cluster (Debian's), redis-server, moto's S3 server, the YouTube stand-in,
gunicorn with config.settings.production and config/gunicorn.py on 127.0.0.2, nginx (the
compose template, deploy/nginx/) on 127.0.0.1 connecting to gunicorn from 127.0.0.3 (the
only TRUSTED_PROXIES entry), one Celery worker per queue and beat. Secrets are generated
at start and live only in this process's memory and its children's environments.

Then, through nginx only, it checks (a) the whole journey in headless Chromium, (b) the
security headers, (c) /healthz under 20 slow upload connections, (d) the client address
behind the trusted proxy and from an untrusted peer. Each check prints ok or FAIL; the exit
status is non-zero on any failure. Every process it started is stopped on exit, on failure
and on Ctrl-C. The shape lives in production_stack.py, the journey in production_journey.py.

    .venv/bin/python scripts/production-check [--keep]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import requests
from production_journey import Journey
from production_stack import (
    NGINX_ADDR,
    Report,
    Shape,
    Stack,
    slow_clients,  # bench/slow_clients.py, put on the path there
)


# --- (b) security headers -------------------------------------------------------------------
def check_headers(shape: Shape) -> str:
    page = requests.get(f"{shape.base}/mitmachen/", timeout=10)
    h = page.headers
    problems = []
    expect = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    for name, value in expect.items():
        if h.get(name) != value:
            problems.append(f"{name}={h.get(name)!r}")
    csp = h.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'"):  # fmt: skip
        if directive not in csp:
            problems.append(f"CSP lacks {directive}")
    if h.get("Server", "") != "nginx":
        problems.append(f"Server={h.get('Server')!r} (version shown?)")
    cookies = page.raw.headers.getlist("Set-Cookie")
    for cookie in cookies:
        if "Secure" not in cookie or ("sessionid" in cookie and "HttpOnly" not in cookie):
            problems.append(f"cookie without Secure/HttpOnly: {cookie.split(';')[0]}")
    static = re.search(r'src="(/static/vendor/tus\.min\.[0-9a-f]+\.js)"', page.text)
    static_path = "/static/js/submit.js" if static is None else static.group(1)
    asset = requests.get(shape.base + static_path, timeout=10)
    if asset.status_code != 200 or asset.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"static {static_path}: {asset.status_code}")
    if "X-Request-ID" in asset.headers:
        problems.append("static file answered by Django, not nginx")
    if problems:
        raise AssertionError("; ".join(problems))
    return f"{len(expect) + 4} headers on /mitmachen/, static from nginx ({static_path})"


# --- (c) slow uploads -----------------------------------------------------------------------
def check_slow_uploads(shape: Shape) -> str:
    upload_token = shape.manage(
        code=slow_clients.DRAFT_PY
    ).strip()  # the draft's secret, as its form has it
    length = 1_000_000
    urls = []
    for n in range(20):
        source = f"127.0.{10 + n // 250}.{1 + n % 250}"
        session = requests.Session()
        session.mount("http://", _SourceAdapter(source))
        response = session.post(
            f"{shape.base}/api/v1/uploads/",
            headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(length),
                     "Upload-Token": upload_token},
            timeout=30,
        )  # fmt: skip
        response.raise_for_status()
        urls.append(requests.compat.urljoin(shape.base + "/", response.headers["Location"]))
    result = slow_clients.hold_slow_clients(
        front=f"{NGINX_ADDR}:{shape.base.rsplit(':', 1)[1]}",
        upload_urls=urls,
        seconds=45,  # plus 3 s to settle: within the 60 s bound
        length=length,
        distinct_sources=True,
        probe_url=f"{shape.base}/healthz",
        probe_timeout=5,
        upload_token=upload_token,
    )
    detail = (
        f"{result['held_open']}/20 slow PATCHes held open, /healthz median "
        f"{result['healthz_median_ms']} ms, max {result['healthz_max_ms']} ms over "
        f"{result['probes']} probes"
    )
    if result["held_open"] != 20 or result["probe_failures"] or result["healthz_max_ms"] > 1000:
        raise AssertionError(detail + f", failures {result['probe_failures']}, {result}")
    return detail


class _SourceAdapter(requests.adapters.HTTPAdapter):
    """Connections from a chosen loopback source address: another client, as nginx sees it."""

    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


# --- (d) client addresses -------------------------------------------------------------------
def _draft_post(base: str, *, source: str, forwarded_for: str | None = None) -> int:
    session = requests.Session()
    session.mount("http://", _SourceAdapter(source))
    form = session.get(f"{base}/mitmachen/", timeout=10)
    token = form.cookies.get("csrftoken") or ""
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    region = re.search(r'<select[^>]*id="id_region_id".*?<option value="(\d+)"', form.text, re.S)
    topic = re.search(r'<select[^>]*id="id_topic_id".*?<option value="(\d+)"', form.text, re.S)
    assert csrf and region and topic, "the form has no token, region or topic"
    headers = {"Cookie": f"csrftoken={token}", "Referer": f"{base}/mitmachen/"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    session.cookies.clear()  # the Secure cookie is sent by hand (plain HTTP on loopback)
    response = session.post(
        f"{base}/mitmachen/",
        data={
            "csrfmiddlewaretoken": csrf.group(1),
            "title": "Zwei Menschen hinter einem Proxy",
            "text": "Eine Geschichte, die nur den Grenzwert der Entwürfe prüft.",
            "region_id": region.group(1),
            "topic_id": topic.group(1),
        },
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )
    return response.status_code


def check_rate_limits_behind_proxy(shape: Shape) -> str:
    # FORM_DRAFT_RATE=3/hour. Two clients through nginx, each from its own address.
    a = [_draft_post(shape.base, source="127.0.1.21") for _ in range(4)]
    b = _draft_post(shape.base, source="127.0.1.22")
    assert a == [302, 302, 302, 429], f"client A through nginx: {a}"
    assert b == 302, f"client B through nginx was limited with A: {b}"
    return f"A {a}, B [{b}]: separate windows"


def check_untrusted_forwarded_for(shape: Shape) -> str:
    # Straight to gunicorn from an address that is not TRUSTED_PROXIES, with a new made-up
    # X-Forwarded-For each time: all in the peer's own window.
    app = f"http://{shape.app}"
    codes = [
        _draft_post(app, source="127.0.1.31", forwarded_for=f"198.51.100.{n}") for n in range(4)
    ]
    assert codes == [302, 302, 302, 429], f"spoofed X-Forwarded-For bought new windows: {codes}"
    return f"direct to gunicorn with spoofed X-Forwarded-For: {codes}"


# --- Main -----------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="zm-production-check-"))
    # PostgreSQL (its own user) and nginx's workers (nobody, when run by root) need to enter.
    os.chmod(work, 0o755)  # noqa: S103
    stack = Stack(work)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report = Report()
    try:
        shape = Shape(stack)
        shape.up()
        print("Checks, through nginx only:", flush=True)
        report.run("(b) security headers as served through nginx", lambda: check_headers(shape))
        report.run(
            "(d) two clients behind the trusted proxy are limited separately",
            lambda: check_rate_limits_behind_proxy(shape),
        )
        report.run(
            "(d) X-Forwarded-For from an untrusted address is ignored",
            lambda: check_untrusted_forwarded_for(shape),
        )
        Journey(shape, report).run()
        report.run(
            "(c) /healthz within 1 s while 20 slow uploads are held open",
            lambda: check_slow_uploads(shape),
        )
        stack.check_alive()
    except KeyboardInterrupt:
        print("\nInterrupted.", flush=True)
        report.failures += 1
    except Exception:  # noqa: BLE001 - the set-up failed: say where
        traceback.print_exc()
        for name, _process in stack.processes:
            tail = stack.log_tail(name, 15)
            if tail:
                print(f"--- {name} (last lines) ---\n{tail}")
        report.failures += 1
    finally:
        stack.stop()
        if args.keep:
            print("Kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    verdict = "FAILED" if report.failures else "passed"
    print(f"\nproduction-check {verdict} ({report.failures} failures) in {elapsed:.0f} s")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
