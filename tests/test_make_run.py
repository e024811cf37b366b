"""`make run`'s script, as a newcomer starts it: everything comes up, one Ctrl-C stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.support.services import ROOT, free_port, wait_for


def _get(url: str) -> int:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0


def _processes_in_group(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    pids.append(int(entry.name))
            except ProcessLookupError:
                continue
    return pids


@pytest.mark.worker
def test_make_run_serves_the_product_and_stops_cleanly(tmp_path: Path) -> None:
    port, redis_port, yt_port = free_port(), free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "EMAIL_"))
    }
    env.update(
        VAR_DIR=str(tmp_path / "var"),
        PORT=str(port),
        REDIS_PORT=str(redis_port),
        YOUTUBE_STANDIN_PORT=str(yt_port),
        CELERY_HEARTBEAT_INTERVAL="5",
        METRICS_TOKEN="make-run-test-token",  # /readyz shows its checks only to operators
    )
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        ["scripts/run"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _get(f"{base}/readyz") == 200, timeout=120, what="make run to be ready")
        assert _get(f"{base}/") == 200
        assert _get(f"{base}/api/schema/") == 200
        assert _get(f"{base}/admin/login/") == 200
        assert _get(f"http://127.0.0.1:{yt_port}/") == 200
        ready = requests.get(
            f"{base}/readyz",
            headers={"Authorization": "Bearer make-run-test-token"},
            timeout=5,
        ).json()
        assert ready["checks"]["worker"]["ok"] is True
        output = (tmp_path / "run.log").read_text()
        assert "Demo accounts (shown once" in output
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what one Ctrl-C in the terminal sends
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        log.close()
    deadline = time.monotonic() + 20
    while _processes_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_in_group(process.pid) == [], (tmp_path / "run.log").read_text()[-3000:]

    # Running it twice works: the second start finds its data and prints no new passwords.
    second = subprocess.Popen(
        ["scripts/run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: _get(f"{base}/readyz") == 200, timeout=120, what="the second start")
    finally:
        os.killpg(second.pid, signal.SIGINT)
        out, _ = second.communicate(timeout=60)
    assert b"Demo accounts exist already" in out
