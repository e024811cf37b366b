"""Web metrics under gunicorn add up every worker process, not the one that answers the scrape.

gunicorn is started with its production configuration (``config/gunicorn.py``) and four worker
processes; 30 requests on fresh connections are spread over them by the kernel, and
every scrape, whichever worker answers it, must report all 30.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.services import ROOT, RedisServer, free_port, wait_for

TOKEN = "metrics-token-for-the-test"
REQUESTS = 30


@pytest.fixture
def gunicorn(tmp_path: Path, redis_server: RedisServer) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": redis_server.url,
        "METRICS_TOKEN": TOKEN,
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "4",
        "GUNICORN_ACCESS_LOG": "/dev/null",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    python = str(ROOT / ".venv/bin/python")
    subprocess.run(
        [python, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{url}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(answers, timeout=120, what="gunicorn")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def _served(scrape: str, route: str) -> float:
    pattern = rf'^zm_http_requests_total\{{[^}}]*route="{re.escape(route)}"[^}}]*\}} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, scrape, re.M))


def test_every_scrape_counts_the_requests_of_every_worker(gunicorn: str) -> None:
    before = _served(_scrape(gunicorn), "healthz")
    for _ in range(REQUESTS):
        with requests.get(f"{gunicorn}/healthz", headers={"Connection": "close"}, timeout=10):
            pass
    for _ in range(4):
        assert _served(_scrape(gunicorn), "healthz") == before + REQUESTS


def _scrape(url: str) -> str:
    response = requests.get(
        f"{url}/metrics",
        headers={"Authorization": f"Bearer {TOKEN}", "Connection": "close"},
        timeout=30,
    )
    assert response.status_code == 200
    return response.text
