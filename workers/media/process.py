"""Running ffmpeg: progress lines to a tracker, timeout, cancellation, kill on any exit.

The child gets its own process group and dies with the worker (``PR_SET_PDEATHSIG``), so a
killed worker leaves no ffmpeg burning CPU.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from queue import Empty, Queue
from typing import Any

from kernel.media_errors import TRANSCODE_REASONS
from workers.media.errors import (
    TranscodeCancelled,
    TranscodeTimedOut,
)
from workers.media.progress import ProgressTracker

STDERR_TAIL_LINES = 20


def stderr_tail(lines: Iterable[str], count: int = STDERR_TAIL_LINES) -> str:
    return "\n".join(list(deque((line.rstrip() for line in lines), maxlen=count)))


def _die_with_parent() -> None:
    """Runs in the ffmpeg child before exec: die when the worker process dies.

    A worker killed outright (SIGKILL, the OOM killer) cannot stop its ffmpeg; without
    this the orphan would go on burning CPU beside the attempt that replaces it.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def remove_files(paths: Iterable[Path]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def run_ffmpeg(
    cmd: list[str],
    tracker: ProgressTracker | None,
    *,
    timeout_s: float | None,
    cancel_event: threading.Event | None,
    keep_lines: int = 200,
    on_tick: Callable[[], None] | None = None,
) -> tuple[int, list[str]]:
    """Run ``cmd`` feeding ``-progress`` lines to ``tracker``; (returncode, stderr lines).

    Raises ``TranscodeCancelled``/``TranscodeTimedOut`` (ffmpeg killed first). For any
    exception raised in here (a progress callback's, Celery's soft time limit) the process
    group is killed before it propagates.
    """
    stderr_lines: deque[str] = deque(maxlen=keep_lines)
    progress_lines: Queue[str] = Queue()
    deadline = time.monotonic() + timeout_s if timeout_s is not None else None
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # own process group, so a kill reaches every child
        preexec_fn=_die_with_parent,
    )

    def pump(stream: Any, sink: Callable[[str], None]) -> None:
        for raw in iter(stream.readline, b""):
            sink(raw.decode("utf-8", "replace").rstrip("\n"))

    readers = [
        threading.Thread(target=pump, args=(proc.stdout, progress_lines.put), daemon=True),
        threading.Thread(target=pump, args=(proc.stderr, stderr_lines.append), daemon=True),
    ]
    for reader in readers:
        reader.start()

    def drain() -> None:
        while True:
            try:
                line = progress_lines.get_nowait()
            except Empty:
                return
            if tracker is not None:
                tracker.feed_line(line)

    try:
        while proc.poll() is None:
            drain()
            if on_tick is not None:
                on_tick()
            if cancel_event is not None and cancel_event.is_set():
                _kill_group(proc)
                raise TranscodeCancelled(
                    TRANSCODE_REASONS["cancelled"],
                    "Transcode cancelled.",
                    stderr_tail(stderr_lines),
                )
            if deadline is not None and time.monotonic() > deadline:
                _kill_group(proc)
                raise TranscodeTimedOut(
                    TRANSCODE_REASONS["timed_out"],
                    f"Transcode exceeded {timeout_s:.0f}s.",
                    stderr_tail(stderr_lines),
                )
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.05)
        for reader in readers:
            reader.join(timeout=5)
        drain()
    except BaseException:
        if proc.poll() is None:
            _kill_group(proc)
        raise
    finally:
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    return proc.returncode, list(stderr_lines)
