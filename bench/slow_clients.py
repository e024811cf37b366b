"""Slow uploads against gunicorn: does /healthz still answer while N tus PATCHes trickle in?

Each slow client creates a real tus upload, then sends a PATCH whose body arrives one byte
every 2 s (as a bad mobile connection or an attacker would). Meanwhile /healthz is probed
every 0.5 s. Scenarios: 3 sync workers (the old default) and gthread (config/gunicorn.py),
each straight to gunicorn and behind nginx (deploy/nginx/, the production shape), where
every slow client has its own loopback source address. Loopback only, bounded in time.

    .venv/bin/python bench/slow_clients.py [--seconds 20] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from common import free_port, stop_server, wait_until_ok

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


def load_render() -> Any:
    spec = importlib.util.spec_from_file_location("nginx_render", ROOT / "deploy/nginx/render.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DRAFT_PY = """
import secrets
from stories.models import Region, Story, Topic
from stories.upload_tokens import story_upload_token
story = Story.objects.create(access_token_hash=secrets.token_hex(32), title="Langsam",
    text="Ein Entwurf für langsame Uploads.", region=Region.objects.first(),
    topic=Topic.objects.first())
print(story_upload_token(story=story))
"""


def draft_upload_token(env: dict[str, str]) -> str:
    """A fresh draft's upload token (the secret its form would hold), made in ``env``'s DB."""
    return subprocess.run(
        [str(BIN / "python"), "manage.py", "shell", "-v", "0", "-c", DRAFT_PY],
        cwd=ROOT, env=env, check=True, timeout=300, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


def create_upload(base: str, *, length: int, token: str, source: str = "") -> str:
    """A tus upload of ``length`` bytes for the draft ``token`` opens; returns its URL."""
    headers = {"Tus-Resumable": "1.0.0", "Upload-Length": str(length), "Upload-Token": token}
    if source:
        headers["X-Bench-Source"] = source
    response = requests.post(f"{base}/api/v1/uploads/", headers=headers, timeout=30)
    response.raise_for_status()
    return requests.compat.urljoin(base + "/", response.headers["Location"])


@dataclass
class SlowClient:
    """One PATCH with a body of one byte every ``interval`` s, until ``stop`` or the end."""

    host: str
    port: int
    path: str
    source: str = ""
    token: str = ""  # the draft's upload token, sent as Upload-Token
    interval: float = 2.0
    sent: int = 0
    refused: str = ""  # the status line if the server answered before the body was done
    error: str = ""
    thread: threading.Thread | None = field(default=None, repr=False)

    def run(self, stop: threading.Event, length: int) -> None:
        try:
            sock = socket.create_connection(
                (self.host, self.port),
                timeout=10,
                source_address=(self.source, 0) if self.source else None,
            )
        except OSError as exc:
            self.error = str(exc)
            return
        with sock:
            head = (
                f"PATCH {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                "Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\n"
                f"Upload-Offset: 0\r\nContent-Length: {length}\r\n"
                + (f"Upload-Token: {self.token}\r\n" if self.token else "")
                + "\r\n"
            )
            try:
                sock.sendall(head.encode())
                sock.setblocking(False)
                while not stop.is_set() and self.sent < length:
                    try:
                        answer = sock.recv(200)
                    except BlockingIOError:
                        answer = None
                    if answer is not None:
                        self.refused = answer.split(b"\r\n", 1)[0].decode(errors="replace")
                        self.refused = self.refused or "closed"
                        return
                    sock.sendall(b"x")
                    self.sent += 1
                    stop.wait(self.interval)
            except OSError as exc:
                self.error = str(exc)

    def start(self, stop: threading.Event, length: int) -> None:
        self.thread = threading.Thread(target=self.run, args=(stop, length), daemon=True)
        self.thread.start()


def hold_slow_clients(
    *,
    front: str,
    upload_urls: list[str],
    seconds: float,
    length: int,
    distinct_sources: bool,
    probe_url: str,
    probe_timeout: float = 5.0,
    settle: float = 3.0,
    upload_token: str = "",
) -> dict[str, Any]:
    """Open one slow PATCH per upload URL through ``front``, probe ``probe_url`` meanwhile."""
    host, port = front.rsplit(":", 1)
    stop = threading.Event()
    clients = []
    for n, url in enumerate(upload_urls):
        path = "/" + url.split("/", 3)[3]
        source = f"127.0.{10 + n // 250}.{1 + n % 250}" if distinct_sources else ""
        client = SlowClient(host=host, port=int(port), path=path, source=source, token=upload_token)
        client.start(stop, length)
        clients.append(client)
    time.sleep(settle)  # the slow bodies have reached the application
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    session = requests.Session()
    try:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                response = session.get(probe_url, timeout=probe_timeout)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    failures.append(str(response.status_code))
                latencies.append(elapsed)
            except requests.RequestException as exc:
                failures.append(type(exc).__name__)
                latencies.append(time.perf_counter() - started)
                session = requests.Session()
            time.sleep(0.5)
    finally:
        held = sum(1 for c in clients if not c.refused and not c.error)
        stop.set()
        for client in clients:
            assert client.thread is not None
            client.thread.join(10)
    latencies.sort()
    return {
        "slow_clients": len(clients),
        "held_open": held,
        "refused": sorted({c.refused for c in clients if c.refused}),
        "probes": len(latencies),
        "probe_failures": len(failures),
        "healthz_median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "healthz_max_ms": round(max(latencies) * 1000, 1) if latencies else None,
    }


def scenario(
    work: Path,
    env: dict[str, str],
    *,
    worker_class: str,
    workers: int,
    threads: int,
    nginx: bool,
    slow: int,
    seconds: float,
) -> dict[str, Any]:
    app = f"127.0.0.2:{free_port()}"
    proxy_port = free_port()
    gunicorn_env = {
        **env,
        "GUNICORN_BIND": app,
        "GUNICORN_WORKER_CLASS": worker_class,
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "TRUSTED_PROXIES": "127.0.0.3",
    }
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--config", "config/gunicorn.py"],
        cwd=ROOT,
        env=gunicorn_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proxy = None
    try:
        wait_until_ok(server, f"http://{app}/healthz", limit=60)
        front = app
        if nginx:
            prefix = work / f"nginx-{proxy_port}"
            prefix.mkdir()
            render = load_render()
            site = prefix / "site.conf"
            site.write_text(
                render.render(
                    {
                        "NGINX_LISTEN": f"127.0.0.1:{proxy_port}",
                        "NGINX_TLS_SNIPPET": str(ROOT / "deploy/nginx/tls-off.conf"),
                        "APP_UPSTREAM": app,
                        "NGINX_PROXY_BIND": "127.0.0.3",
                        "STATIC_ROOT": str(work),
                        "MEDIA_ROOT": str(work),
                        "UPLOAD_STREAMS": str(upload_streams(workers, threads)),
                        "TUS_MAX_BODY": "20m",
                    }
                )
            )
            (prefix / "nginx.conf").write_text(render.main_config(prefix=prefix, site=site))
            proxy = subprocess.Popen(
                ["nginx", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            front = f"127.0.0.1:{proxy_port}"
            wait_until_ok(proxy, f"http://{front}/healthz", limit=60)
        length = 1_000_000
        token = draft_upload_token(env)
        urls = [create_upload(f"http://{app}", length=length, token=token) for _ in range(slow)]
        result = hold_slow_clients(
            front=front,
            upload_urls=urls,
            seconds=seconds,
            length=length,
            distinct_sources=nginx,
            probe_url=f"http://{front}/healthz",
            upload_token=token,
        )
    finally:
        stop_server(proxy)
        stop_server(server)
    label = (
        f"{worker_class} {workers}x{threads}" if worker_class == "gthread" else (f"sync {workers}")
    )
    return {"server": label, "nginx": nginx, **result}


def upload_streams(workers: int, threads: int) -> int:
    """nginx's cap on concurrent upload streams: with gthread, every worker keeps 8 threads
    free even if all streams land on it; sync workers cannot be protected that way (a cap
    below the number of workers would allow one or two uploads site-wide), so they get the
    generous cap a first configuration would have."""
    return max(1, min(workers * threads // 2, threads - 8)) if threads > 1 else 24


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zm-bench-slow-"))
    os.chmod(work, 0o755)  # noqa: S103 - nginx workers run as nobody when started by root
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "VAR_DIR": str(work / "var"),
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "UPLOAD_TEMP_DIR": str(work / "var" / "uploads"),
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing there: limits fail open
        "LOG_LEVEL": "ERROR",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,127.0.0.2",
    }
    results = []
    try:
        subprocess.run(
            [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        plan = [
            ("sync", 3, 1, False, 4),
            ("gthread", 2, 32, False, 4),
            ("gthread", 2, 32, False, 20),
            ("gthread", 2, 32, False, 40),
            ("sync", 3, 1, True, 20),
            ("gthread", 2, 32, True, 20),
            ("gthread", 2, 32, True, 40),
        ]
        for worker_class, workers, threads, nginx, slow in plan:
            result = scenario(
                work,
                env,
                worker_class=worker_class,
                workers=workers,
                threads=threads,
                nginx=nginx,
                slow=slow,
                seconds=args.seconds,
            )
            results.append(result)
            print(
                f"{result['server']:<16} nginx={'yes' if nginx else 'no ':<3} "
                f"slow={slow:>2} held={result['held_open']:>2} "
                f"refused={','.join(result['refused']) or '-':<28} "
                f"healthz median={result['healthz_median_ms']} ms "
                f"max={result['healthz_max_ms']} ms failures={result['probe_failures']}"
                f"/{result['probes']}",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        before = results[0]  # sync, no nginx: the old production shape
        after = next(r for r in results if r["nginx"] and r["slow_clients"] == 20 and
                     r["server"].startswith("gthread"))  # fmt: skip
        print(
            json.dumps(
                {
                    "before_healthz_failures": before["probe_failures"],
                    "before_healthz_max_ms": before["healthz_max_ms"],
                    "after_healthz_failures": after["probe_failures"],
                    "after_healthz_max_ms": after["healthz_max_ms"],
                    "scenarios": results,
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
