"""`make run`'s script, as a newcomer starts it: everything comes up, one Ctrl-C stops it."""

from __future__ import annotations

import os
import signal
import sqlite3
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


def _job_states(db: Path) -> dict[str, list[str]]:
    """The demo's media and kit states, read straight from the run's SQLite database."""
    if not db.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
            media = [r[0] for r in connection.execute("SELECT state FROM stories_storymedia")]
            kits = [
                r[0]
                for r in connection.execute(
                    "SELECT status FROM partners_partnerkit WHERE partner_id IS NOT NULL"
                )
            ]
    except sqlite3.Error:  # the tables do not exist yet, or the database is busy
        return {}
    return {"media": media, "kits": kits}


def _all_demo_jobs_ready(db: Path) -> bool:
    states = _job_states(db)
    return (
        len(states.get("media", [])) == 5
        and set(states["media"]) == {"ready"}
        and states["kits"] == ["ready"]
    )


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
        wait_for(lambda: _get(f"{base}/") == 200, timeout=120, what="the first page")
        page_answered = time.monotonic()
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
        # A fresh first run: the demo videos and the demo partner's kit are ready soon, not
        # when the reconciler finds them stuck (the issue allows 2 minutes; waited on
        # generously here because the machine is shared).
        db = tmp_path / "var" / "db.sqlite3"
        wait_for(
            lambda: _all_demo_jobs_ready(db),
            timeout=600,
            interval=1,
            what="the demo media and kit to be ready",
        )
        print(f"demo ready {time.monotonic() - page_answered:.0f} s after the first page")
        output = (tmp_path / "run.log").read_text()
        assert "Demo accounts (shown once" in output
        assert "Traceback" not in output, output[-5000:]
        assert "broker unreachable" not in output, output[-5000:]
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
    second_log = tmp_path / "second.log"
    with second_log.open("wb") as out:
        second = subprocess.Popen(
            ["scripts/run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(lambda: _get(f"{base}/readyz") == 200, timeout=120, what="the second start")
            wait_for(
                lambda: b"Demo accounts exist already" in second_log.read_bytes(),
                timeout=120,
                what="the second start to find its demo data",
            )
            # What the running product printed (the shutdown after Ctrl-C is not a healthy run:
            # honcho stops Redis and the worker at once, and the worker may log that).
            running = second_log.read_bytes()
        finally:
            os.killpg(second.pid, signal.SIGINT)
            second.wait(60)
    assert b"Traceback" not in running, running.decode(errors="replace")[-5000:]
