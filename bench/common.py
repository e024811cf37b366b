"""What the benchmark scripts share: paths, ports, a server environment, load generators.

Every load here goes to loopback only and is bounded in requests or seconds.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(var_dir: Path, **extra: str) -> dict[str, str]:
    """A development-settings environment on a throw-away SQLite database in ``var_dir``."""
    return {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{var_dir / 'bench.sqlite3'}",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def load_threads(
    url: str, clients: int, per_client: int, *, cookies: dict[str, str] | None = None
) -> dict[str, float | int | str]:
    """``clients`` threads × ``per_client`` sequential GETs; median, p95 and rate."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client() -> None:
        session = requests.Session()
        session.cookies.update(cookies or {})
        barrier.wait()
        for _ in range(per_client):
            start = time.perf_counter()
            response = session.get(url, timeout=60)
            elapsed = time.perf_counter() - start
            with lock:
                if response.status_code != 200:
                    errors.append(str(response.status_code))
                latencies.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} requests failed: {sorted(set(errors))}")
    latencies.sort()
    return {
        "requests": len(latencies),
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000, 1),
        "requests_per_second": round(len(latencies) / wall, 1),
        "tool": "threads",
    }


WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("ZM %d %.3f %.3f %d %d\\n", summary.requests,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def load_wrk(
    url: str, clients: int, seconds: int, *, cookies: dict[str, str] | None = None
) -> dict[str, float | int | str]:
    """Load from wrk (C, event-driven), so the load generator leaves the server its CPU."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    headers = []
    if cookies:
        headers = ["-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", *headers, "-s", script.name, url],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("ZM "))
    total, median, p95, duration_us, errors = line.split()[1:]
    if int(errors):
        raise SystemExit(f"{errors} requests failed:\n{out}")
    return {
        "requests": int(total),
        "median_ms": round(float(median), 1),
        "p95_ms": round(float(p95), 1),
        "requests_per_second": round(int(total) / (int(duration_us) / 1e6), 1),
        "tool": "wrk",
    }


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


LANGUAGES = ("de", "ar", "fa", "uk", "tr")


def bulk_stories(count: int, *, offset: int = 0, media: Any = None, **fields: Any) -> list[Any]:
    """``count`` synthetic stories, each with a completed upload and a ready media row.

    ``fields`` are set on every story (a callable value is called with the index);
    ``media(story)`` returns extra fields for its media row. Needs a configured Django.
    """
    from datetime import timedelta

    from django.utils import timezone

    from stories.models import Region, Story, StoryMedia, Topic
    from stories.uploads.models import Upload

    if count <= 0:
        return []
    regions = list(Region.objects.all())
    topics = list(Topic.objects.all())
    now = timezone.now()
    rows = []
    for n in range(offset, offset + count):
        values = {
            "access_token_hash": secrets.token_hex(32),
            "title": f"Geschichte {n}",
            "text": "Eine erfundene Geschichte für den Benchmark. " * 8,
            "region": regions[n % len(regions)],
            "topic": topics[n % len(topics)],
            "language": LANGUAGES[n % len(LANGUAGES)],
            "submitter_name": "Bench Person",
            "submitter_email": f"bench{n}@example.org",
            "submitted_at": now - timedelta(minutes=n),
            "status_changed_at": now - timedelta(minutes=n),
        }
        values.update({k: v(n) if callable(v) else v for k, v in fields.items()})
        rows.append(Story(**values))
    Story.objects.bulk_create(rows, batch_size=1000)
    created = list(Story.objects.order_by("-id")[:count])
    uploads = Upload.objects.bulk_create(
        [
            Upload(
                owner_key=str(s.public_id),
                length=1,
                offset=1,
                state=Upload.State.COMPLETED,
                storage_key=f"uploads/{s.public_id}/original",
                expires_at=now + timedelta(days=1),
            )
            for s in created
        ],
        batch_size=1000,
    )
    StoryMedia.objects.bulk_create(
        [
            StoryMedia(
                story=s, upload=u, state=StoryMedia.State.READY, **(media(s) if media else {})
            )
            for s, u in zip(created, uploads, strict=True)
        ],
        batch_size=1000,
    )
    return created


def query_count(client: Any, path: str) -> int:
    """Database queries of one GET of ``path`` through the Django test client."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


def setup_django(env: dict[str, str]) -> None:
    """Migrate the benchmark database and configure Django in this process from ``env``."""
    import sys

    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def start_gunicorn(
    env: dict[str, str],
    *,
    workers: int,
    log: Path,
    ready_url: str,
    cookies: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn on a free loopback port; returns it and its base URL once ``ready_url`` is 200.

    ``ready_url`` is a path; every worker is warmed with a few requests before returning.
    """
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ok(server, base + ready_url, cookies=cookies, log=log)
        for _ in range(workers * 3):  # warm every worker
            requests.get(base + ready_url, cookies=cookies, timeout=60)
    except BaseException:
        stop_server(server)  # never leave a gunicorn behind, whatever went wrong
        raise
    return server, base


def wait_until_ok(
    server: subprocess.Popen[bytes],
    url: str,
    *,
    cookies: dict[str, str] | None = None,
    log: Path | None = None,
    limit: float = 180,
) -> None:
    """Poll ``url`` until it answers 200; SystemExit if the server dies or ``limit`` passes.

    Any request error counts as "not yet": a worker still booting on a busy machine refuses
    the connection, resets it or answers too slowly (ReadTimeout), and none of that is fatal.
    """
    deadline = time.monotonic() + limit
    while True:
        try:
            if requests.get(url, cookies=cookies, timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            detail = log.read_text(errors="replace") if log and log.exists() else ""
            raise SystemExit(f"the server at {url} did not answer:\n{detail}")
        time.sleep(0.2)


def start_redis(var_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A private redis-server on a free loopback port, as production has one; and its URL."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(var_dir)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return server, f"redis://127.0.0.1:{port}/0"


def stop_server(server: subprocess.Popen[bytes] | None) -> None:
    """Terminate ``server`` and wait for it; kill it if it does not stop in 15 s."""
    if server is None or server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(15)
