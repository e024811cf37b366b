"""Real background services for the tests: redis-server and Celery workers as processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(
    check: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


class RedisServer:
    """A private redis-server on a free loopback port, with its data in a temp folder."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="zm-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.dir),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, timeout=10, what=f"redis-server on port {self.port}")

    def ping(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class CeleryWorker:
    """A real ``celery worker`` process consuming the real queues from the test Redis."""

    def __init__(
        self,
        *,
        env: dict[str, str],
        queues: str = "default,transcode,publish",
        concurrency: int = 1,
        log_path: Path,
    ) -> None:
        self.env = env
        self.queues = queues
        self.concurrency = concurrency
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._log = None

    def start(self, *, timeout: float = 60) -> None:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "config",
                "worker",
                "-Q",
                self.queues,
                "--pool",
                "prefork",
                "--concurrency",
                str(self.concurrency),
                "--loglevel",
                "INFO",
                "--without-mingle",
                "--without-gossip",
                "--hostname",
                f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: b"ready." in self.log_path.read_bytes() or self.process.poll() is not None,  # type: ignore[union-attr]
            timeout=timeout,
            what="the Celery worker to be ready",
        )
        if self.process.poll() is not None:
            raise RuntimeError("Celery worker exited:\n" + self.log_tail())

    def children(self) -> list[int]:
        """PIDs of the pool processes that execute the tasks."""
        assert self.process is not None
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def kill_pool_process(self) -> int:
        """SIGKILL the pool process that is running a task, as the OOM killer would."""
        pids = self.children()
        assert pids, "the worker has no pool process"
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def kill(self) -> None:
        """SIGKILL the whole worker, main process and pool alike: nothing is acknowledged."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        if self._log:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def routed(pattern: str, queue: str) -> Iterator[None]:
    """Send tasks matching ``pattern`` from this process to ``queue`` while inside."""
    from config.celery_app import app

    def reset_router() -> None:
        app.amqp.flush_routes()
        app.amqp.__dict__.pop("router", None)

    previous = app.conf.task_routes
    app.conf.task_routes = {**previous, pattern: {"queue": queue}}
    reset_router()
    try:
        yield
    finally:
        app.conf.task_routes = previous
        reset_router()


CORE_OUTPUTS = {"master.mp4", "poster.jpg", "preview.mp4"}


def assert_outputs_stored_once(folder: Path) -> None:
    """Each media output once under its deterministic key, no second copy from a killed
    attempt: master, preview, poster and the responsive poster sizes scaled from it."""
    import re

    stored = sorted(p.name for p in folder.iterdir())
    assert set(stored) >= CORE_OUTPUTS, stored
    extra = set(stored) - CORE_OUTPUTS
    assert all(re.fullmatch(r"poster-(\d+\.(jpg|webp)|og\.jpg)", n) for n in extra), stored
