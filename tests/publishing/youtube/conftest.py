"""The YouTube stand-in as a real subprocess on a free loopback port, and clients built for it."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

import workers.tasks.publish  # noqa: F401 - registers the publication kinds (see ../conftest)
from publishing.youtube.api import build_youtube, make_credentials

ROOT = Path(__file__).resolve().parents[3]
KIB = 1024
CHUNK = 256 * KIB
REFRESH_TOKEN = "1//standin-test-refresh"


class Standin:
    """A running ``python -m devtools.youtube_standin`` the tests can query, reconfigure, kill."""

    def __init__(self, data_dir: Path, *, quota_model: str = "legacy") -> None:
        self.data_dir = data_dir
        self.quota_model = quota_model
        self.port = 0
        self.process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "devtools.youtube_standin",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--quota-model",
            self.quota_model,
            "--processing-seconds",
            "0.3",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ}
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # "YouTube stand-in listening on http://h:p/ ..."
        assert "listening on" in line, line
        self.port = int(line.split("listening on ", 1)[1].split("/")[2].rsplit(":", 1)[1])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "_standin/state", timeout=1).raise_for_status()
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the stand-in did not come up")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        """Kill the stand-in hard and start it again on the same port and data dir."""
        self.stop(signal.SIGKILL)
        self.start()

    def state(self) -> dict[str, Any]:
        return requests.get(self.url + "_standin/state", timeout=5).json()

    def faults(self, **faults: Any) -> dict[str, Any]:
        return requests.post(self.url + "_standin/faults", json=faults, timeout=5).json()

    def reset_quota(self) -> None:
        requests.post(self.url + "_standin/reset-quota", timeout=5).raise_for_status()

    def reset_counters(self) -> None:
        requests.post(self.url + "_standin/reset-counters", timeout=5).raise_for_status()

    def lose_video(self, video_id: str) -> None:
        """Delete the video "by hand", behind the product's back."""
        requests.post(self.url + f"_standin/lose-video/{video_id}", timeout=5).raise_for_status()

    def lose_playlist(self, playlist_id: str) -> None:
        """Delete the playlist "by hand", behind the product's back."""
        url = self.url + f"_standin/lose-playlist/{playlist_id}"
        requests.post(url, timeout=5).raise_for_status()

    def change_video(self, video_id: str, **change: Any) -> None:
        """Change privacy (``privacyStatus=``) or processing (``outcome=, reason=``) by hand."""
        url = self.url + f"_standin/video/{video_id}"
        requests.post(url, json=change, timeout=5).raise_for_status()

    def stored_video(self, video_id: str) -> Path:
        return self.data_dir / "videos" / video_id / "video.bin"


def _started(path: Path, quota_model: str = "legacy") -> Standin:
    standin = Standin(path, quota_model=quota_model)
    standin.start()
    return standin


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standin]:
    server = _started(tmp_path_factory.mktemp("youtube-standin"))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_day(request: pytest.FixtureRequest) -> None:
    """Every test starts on a new quota day without faults and with zeroed counters."""
    if "standin" in request.fixturenames:
        server: Standin = request.getfixturevalue("standin")
        server.faults()
        server.reset_quota()
        server.reset_counters()


@pytest.fixture
def make_youtube(standin: Standin) -> Callable[..., Any]:
    def make(refresh_token: str = REFRESH_TOKEN) -> Any:
        credentials = make_credentials(
            refresh_token=refresh_token,
            client_id="standin-client",
            client_secret="standin-secret",
            token_uri=standin.url + "token",
        )
        return build_youtube(credentials=credentials, api_url=standin.url, http_timeout=10)

    return make


@pytest.fixture
def youtube(make_youtube: Callable[..., Any]) -> Any:
    return make_youtube()


@pytest.fixture
def video_file(tmp_path: Path) -> Path:
    """Six chunks of random bytes, the last one short (not a multiple of 256 KiB)."""
    path = tmp_path / "master.mp4"
    path.write_bytes(os.urandom(5 * CHUNK + 12_345))
    return path


class Recorder:
    """Collects what the library reports through its callbacks."""

    def __init__(self) -> None:
        self.states: list[Any] = []
        self.calls: list[tuple[str, int]] = []
        self.sleeps: list[float] = []

    def save_state(self, state: Any) -> None:
        self.states.append(state)

    def record_call(self, method: str, cost: int) -> None:
        self.calls.append((method, cost))

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def video_body(title: str = "Aylin fand ihren Weg in die Pflege") -> dict[str, Any]:
    return {
        "snippet": {"title": title, "description": "Eine Geschichte.", "categoryId": "29"},
        "status": {"privacyStatus": "private"},
    }


def dump(value: Any) -> str:
    return json.dumps(value, indent=1, default=str)
