"""Benchmark the tus upload endpoint under the product's real web server.

Starts gunicorn (2 sync workers) on a migrated temporary SQLite database, uploads a
1 GiB file with tuspy in 8 MiB chunks, and reports:

- throughput of a full upload (MiB/s, creation to completion, including the final
  sha256 pass and the move into media storage),
- peak RSS growth of the gunicorn workers (VmHWM after minus VmRSS before, warmed up),
- bytes sent twice after an interruption: a second upload is cut off in the middle of a
  PATCH body at about half, then a fresh uploader resumes from the server's offset.

Targets: >= 100 MiB/s, <= 64 MiB RSS growth, <= one chunk re-sent.
The file is random bytes behind an MP4 ``ftyp`` box, so the server sniffs it as a video
and runs the whole completion path. ``--json`` prints the figures as JSON on the last line.

    .venv/bin/python bench/upload.py [--size-mib 1024] [--chunk-mib 8] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from common import BIN, ROOT, free_port, start_redis, stop_server, wait_until_ok
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

MIB = 1024 * 1024
FTYP = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def make_file(path: Path, size: int) -> str:
    """Random bytes behind an MP4 header, written in 8 MiB blocks; returns the sha256."""
    digest = hashlib.sha256()
    with open(path, "wb") as fh:
        fh.write(FTYP)
        digest.update(FTYP)
        left = size - len(FTYP)
        while left:
            block = os.urandom(min(8 * MIB, left))
            fh.write(block)
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in bytes."""
    result = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            result[key] = int(value.split()[0]) * 1024
    return result


def worker_pids(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def cut_patch(url: str, *, token: str, offset: int, chunk: bytes, send: int) -> None:
    """A PATCH whose connection dies after ``send`` bytes of its body, as on a train."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        head = (
            f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTus-Resumable: 1.0.0\r\n"
            f"Content-Type: application/offset+octet-stream\r\nUpload-Offset: {offset}\r\n"
            f"Upload-Token: {token}\r\nContent-Length: {len(chunk)}\r\n\r\n"
        )
        sock.sendall(head.encode() + chunk[:send])
        time.sleep(0.2)


def head_offset(url: str, *, token: str) -> int:
    response = requests.head(
        url, headers={"Tus-Resumable": "1.0.0", "Upload-Token": token}, timeout=30
    )
    return int(response.headers["Upload-Offset"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--chunk-mib", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON last")
    args = parser.parse_args()
    size, chunk = args.size_mib * MIB, args.chunk_mib * MIB

    work = Path(tempfile.mkdtemp(prefix="zm-bench-upload-"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "VAR_DIR": str(work / "var"),
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "UPLOAD_TEMP_DIR": str(work / "var" / "uploads"),
        "LOG_LEVEL": "ERROR",
    }
    # As in production: the finished upload is handed to the media pipeline through Redis
    # (the task waits there; no worker runs in this benchmark).
    redis_server, env["REDIS_URL"] = start_redis(work)
    server: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}",
                "-w", "2", "--timeout", "120", "--log-level", "warning",
            ],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_until_ok(server, f"{base}/healthz")
        endpoint = f"{base}/api/v1/uploads/"
        # Uploads need a draft's upload token, as every client does.
        draft = requests.post(f"{base}/api/v1/stories/", json={"language": "de"}, timeout=30)
        draft.raise_for_status()
        token = draft.json()["upload_token"]
        tus = tus_client.TusClient(endpoint, headers={"Upload-Token": token})
        meta = {"filename": "bench.mp4", "filetype": "video/mp4"}

        # Warm both workers up (imports, URL resolution) with small uploads.
        small = work / "small.mp4"
        make_file(small, 3 * MIB)
        for _ in range(6):
            try:
                tus.uploader(str(small), chunk_size=MIB, metadata=meta).upload()
            except TusCommunicationError as exc:
                raise RuntimeError(f"warm-up upload failed: {exc.response_content!r}") from exc
        workers = worker_pids(server.pid)
        before = {pid: proc_status(pid) for pid in workers}

        big = work / "big.mp4"
        expected = make_file(big, size)

        print(f"uploading {args.size_mib} MiB ...", file=sys.stderr)
        started = time.perf_counter()
        uploader = tus.uploader(str(big), chunk_size=chunk, metadata=meta)
        uploader.upload()
        elapsed = time.perf_counter() - started
        throughput = size / MIB / elapsed

        after = {pid: proc_status(pid) for pid in workers}
        growth = max(after[pid]["VmHWM"] - before[pid]["VmRSS"] for pid in workers)

        upload_id = urlsplit(uploader.url).path.rstrip("/").rsplit("/", 1)[-1].replace("-", "")
        with sqlite3.connect(work / "db.sqlite3") as db:
            state, digest = db.execute(
                "SELECT state, sha256 FROM uploads_upload WHERE replace(id, '-', '') = ?",
                (upload_id,),
            ).fetchone()
        intact = state == "completed" and digest == expected

        # Interruption: send whole chunks up to about half, then a PATCH that dies
        # part-way through its body, then a fresh uploader resumes from HEAD.
        print("uploading again with an interruption ...", file=sys.stderr)
        sent = 0
        first = tus.uploader(str(big), chunk_size=chunk, metadata=meta)
        half = (size // 2 // chunk) * chunk
        first.upload(stop_at=half)
        sent += half
        with open(big, "rb") as fh:
            fh.seek(half)
            block = fh.read(chunk)
        cut_at = chunk * 5 // 8
        cut_patch(urljoin(endpoint, first.url), token=token, offset=half, chunk=block, send=cut_at)
        sent += cut_at
        # The phone reconnects a moment later; by then the server has seen the connection end.
        deadline = time.monotonic() + 10
        while (
            offset := head_offset(first.url, token=token)
        ) == half and time.monotonic() < deadline:
            time.sleep(0.1)
        resumed = tus.uploader(str(big), chunk_size=chunk, url=first.url, retries=3, retry_delay=1)
        sent += size - resumed.offset
        resumed.upload()
        resent = sent - size
        resumed_ok = head_offset(first.url, token=token) == size

        figures: dict[str, Any] = {
            "size_mib": args.size_mib,
            "chunk_mib": args.chunk_mib,
            "seconds": round(elapsed, 2),
            "throughput_mib_s": round(throughput, 1),
            "rss_growth_mib": round(growth / MIB, 1),
            "stored_sha256_matches": intact,
            "interrupted_at_offset": half + cut_at,
            "server_offset_after_cut": offset,
            "bytes_resent": resent,
            "resumed_complete": resumed_ok,
            "targets_met": throughput >= 100 and growth <= 64 * MIB and 0 <= resent <= chunk,
        }
        print(f"upload {args.size_mib} MiB in {args.chunk_mib} MiB chunks: {elapsed:.2f} s")
        print(f"throughput          {throughput:8.1f} MiB/s   (target >= 100)")
        print(f"worker RSS growth   {growth / MIB:8.1f} MiB     (target <= 64)")
        print(f"stored file intact  {intact}")
        print(f"cut at offset       {half + cut_at}, server kept up to {offset}")
        print(f"bytes re-sent       {resent}   (target <= {chunk}, one chunk)")
        if args.json:
            print(json.dumps(figures))
        return 0 if figures["targets_met"] and intact and resumed_ok else 1
    finally:
        stop_server(server)
        redis_server.terminate()
        redis_server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
