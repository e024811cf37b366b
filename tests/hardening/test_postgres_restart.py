"""PostgreSQL restarts while supporters are sending stories: the app recovers by itself.

Only on PostgreSQL (``scripts/with-postgres``, as CI's second run does): a thread keeps
starting story drafts through the API on the live server while the test restarts the
database server with ``pg_ctl restart -m fast``. Requests during the restart may fail
(500/503 or a dropped connection); afterwards the web process must answer again within
seconds without anyone touching it (CONN_HEALTH_CHECKS drops the dead connections), and
every draft the API confirmed with 201 must be in the database.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection

from stories.models import Story
from tests.support.services import wait_for

# A generous limit for the app to answer again after the restart (a condition, not a pace).
RECOVERY_SECONDS = 120


def _pg_ctl_restart() -> None:
    pg_ctl = str(Path(os.environ["PG_BIN"]) / "pg_ctl")
    data = os.environ["PG_DATA_DIR"]
    log = str(Path(data).parent / "server.log")
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [*run_as, pg_ctl, "-D", data, "-l", log, "-w", "-t", "60", "-m", "fast", "restart"],
        check=True,
        timeout=90,
        stdout=subprocess.DEVNULL,
    )


@pytest.fixture
def postgres_only(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run through scripts/with-postgres (CI's second run does); "
            "SQLite has no server to restart"
        )
    if not os.environ.get("PG_DATA_DIR") or not os.environ.get("PG_BIN"):
        pytest.skip("PG_DATA_DIR/PG_BIN unset: the database was not started by with-postgres")


def test_the_app_recovers_from_a_postgres_restart_without_losing_a_submission(
    postgres_only: None, live_server: Any, seeded: None
) -> None:
    results: list[tuple[float, int, str | None]] = []  # (time, status or 0, story id)
    stop = threading.Event()

    def traffic() -> None:
        http = requests.Session()
        while not stop.is_set():
            try:
                response = http.post(
                    f"{live_server.url}/api/v1/stories/", json={"language": "de"}, timeout=10
                )
                story_id = response.json()["id"] if response.status_code == 201 else None
                results.append((time.monotonic(), response.status_code, story_id))
            except requests.RequestException:
                results.append((time.monotonic(), 0, None))
                http = requests.Session()
            time.sleep(0.05)

    sender = threading.Thread(target=traffic, daemon=True)
    sender.start()
    try:
        wait_for(
            lambda: [status for _, status, _ in results].count(201) >= 5,
            timeout=60,
            what="the traffic to get going",
        )
        _pg_ctl_restart()
        restarted_at = time.monotonic()

        def recovered() -> bool:
            after = [status for at, status, _ in results if at > restarted_at]
            return len(after) >= 10 and all(status == 201 for status in after[-10:])

        deadline = restarted_at + RECOVERY_SECONDS
        while time.monotonic() < deadline and not recovered():
            time.sleep(0.2)
    finally:
        stop.set()
        sender.join(15)

    before = [status for at, status, _ in results if at <= restarted_at]
    assert before and before.count(201) >= 5, "the traffic did not get going"
    assert recovered(), f"not recovered {RECOVERY_SECONDS}s after the restart: {results[-20:]}"
    unexpected = {status for _, status, _ in results if status not in (0, 201, 500, 503)}
    assert not unexpected, unexpected

    # The test's own connection died with the server; Django reconnects on the next query.
    connection.close()
    accepted = [story_id for _, status, story_id in results if status == 201]
    stored = set(
        str(pk)
        for pk in Story.objects.filter(public_id__in=accepted).values_list("public_id", flat=True)
    )
    assert stored == set(accepted), "an accepted submission is missing"
