"""Benchmark: publish a 2 GiB master to the local YouTube stand-in with ``resumable_upload``.

Usage: ``.venv/bin/python bench/publish.py [--size-mib 2048] [--chunk-mib 16] [--json]``

Creates a master of random bytes in a temp dir, starts the stand-in on loopback, uploads the file
in a separate process (the way a Celery worker would) and prints the throughput and how much the
uploading process's peak RSS grew during the upload (target: at most 64 MiB, the file is
streamed chunk by chunk). ``--json`` prints the figures as JSON on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024

CHILD = """
import json, resource, sys, time
from publishing.youtube.api import build_youtube, make_credentials, resumable_upload

def status_kib(field):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0

url, path, chunk = sys.argv[1], sys.argv[2], int(sys.argv[3])
credentials = make_credentials(refresh_token="1//bench", client_id="bench",
                               client_secret="bench", token_uri=url + "token")
youtube = build_youtube(credentials=credentials, api_url=url, http_timeout=120)
youtube.playlists().list(part="id", mine=True).execute()  # warm up: token, connection
states = []
rss_before = status_kib("VmRSS")
peak_before = status_kib("VmHWM")
started = time.perf_counter()
video = resumable_upload(
    youtube=youtube, file_path=path, state=None, save_state=states.append, chunk_size=chunk,
    body={"snippet": {"title": "Benchmark master", "categoryId": "29"},
          "status": {"privacyStatus": "private"}},
)
seconds = time.perf_counter() - started
print(json.dumps({
    "video_id": video["id"], "seconds": seconds, "chunks": len(states),
    "rss_before_kib": rss_before, "peak_before_kib": peak_before,
    "peak_after_kib": status_kib("VmHWM"),
}))
"""


def write_master(path: Path, size: int) -> float:
    """Write ``size`` random bytes in 8 MiB blocks; returns the seconds it took."""
    started = time.perf_counter()
    block = 8 * MIB
    with path.open("wb") as handle:
        remaining = size
        while remaining:
            chunk = os.urandom(min(block, remaining))
            handle.write(chunk)
            remaining -= len(chunk)
    return time.perf_counter() - started


def start_standin(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devtools.youtube_standin",
            "--port",
            "0",
            "--data-dir",
            str(data_dir),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening on " not in line:
        process.kill()
        raise RuntimeError(f"the stand-in did not start: {line!r}")
    return process, line.split("listening on ", 1)[1].split(" ", 1)[0]


def run(*, size_mib: int, chunk_mib: int) -> dict[str, Any]:
    size = size_mib * MIB
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as tmp:
        master = Path(tmp) / "master.mp4"
        write_seconds = write_master(master, size)
        standin, url = start_standin(Path(tmp) / "youtube")
        try:
            child = subprocess.run(
                [sys.executable, "-c", CHILD, url, str(master), str(chunk_mib * MIB)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=3600,
                check=False,
            )
            if child.returncode != 0:
                raise RuntimeError(f"upload failed:\n{child.stderr}")
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            stored = Path(tmp) / "youtube" / "videos" / figures["video_id"] / "video.bin"
            stored_size = stored.stat().st_size
        finally:
            standin.terminate()
            standin.wait(timeout=30)
    growth_kib = figures["peak_after_kib"] - figures["rss_before_kib"]
    return {
        "size_mib": size_mib,
        "chunk_mib": chunk_mib,
        "chunks": figures["chunks"],
        "write_master_seconds": round(write_seconds, 2),
        "upload_seconds": round(figures["seconds"], 2),
        "throughput_mib_s": round(size_mib / figures["seconds"], 1),
        "rss_before_mib": round(figures["rss_before_kib"] / 1024, 1),
        "peak_rss_growth_mib": round(growth_kib / 1024, 1),
        "stored_bytes_match": stored_size == size,
        "target_peak_rss_growth_mib": 64,
        "within_target": growth_kib / 1024 <= 64,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=2048)
    parser.add_argument("--chunk-mib", type=int, default=16)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON last")
    args = parser.parse_args()
    result = run(size_mib=args.size_mib, chunk_mib=args.chunk_mib)
    print(
        f"uploaded {result['size_mib']} MiB in {result['chunks']} chunks of "
        f"{result['chunk_mib']} MiB: {result['upload_seconds']} s, "
        f"{result['throughput_mib_s']} MiB/s"
    )
    print(
        f"uploader peak RSS growth {result['peak_rss_growth_mib']} MiB "
        f"(target <= 64 MiB, baseline {result['rss_before_mib']} MiB); "
        f"stored copy complete: {result['stored_bytes_match']}"
    )
    if args.json:
        print(json.dumps(result))
    return 0 if result["within_target"] and result["stored_bytes_match"] else 1


if __name__ == "__main__":
    sys.exit(main())
