"""Run every benchmark in bench/ and write docs/benchmarks.md (``make bench``).

Each script prints its figures and, with ``--json``, one JSON object on its last line; this
runner collects those objects, compares them with the targets the issues name and writes
one report with the machine and the date. Benchmarks are not tests: nothing here fails a
build, the report says which targets were met.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"

# script -> (what it measures, [(figure key, comparison, target, unit)])
TARGETS: dict[str, tuple[str, list[tuple[str, str, Any, str]]]] = {
    "upload.py": (
        "1 GiB through tuspy to gunicorn on loopback",
        [
            ("throughput_mib_s", ">=", 100, "MiB/s"),
            ("rss_growth_mib", "<=", 64, "MiB"),
            ("bytes_resent", "<=", 8 * 1024 * 1024, "bytes"),
        ],
    ),
    "transcode.py": (
        "30 s H.264 1080p, HEVC rotated and VP9 clips through the media job",
        [
            ("copy_job_x_clip_max", "<=", 0.5, "× clip length (copy path)"),
            ("copy_job_vs_floor_max", "<=", 1.2, "× floor (copy path)"),
            ("copy_peak_rss_mib_max", "<=", 256, "MiB (copy path)"),
            ("transcode_job_vs_bare_max", "<=", 1.05, "× bare ffmpeg (transcoded)"),
            ("max_progress_gap_s", "<=", 2, "s between rising progress values"),
        ],
    ),
    "moderation.py": (
        "queue page with 10,000 waiting stories",
        [
            ("queries_constant", "is", True, "(query count independent of rows)"),
            ("median_ms", "<=", 100, "ms (8 clients)"),
        ],
    ),
    "publish.py": (
        "2 GiB master to the YouTube stand-in",
        [
            ("peak_rss_growth_mib", "<=", 64, "MiB"),
        ],
    ),
    "partner_kit.py": (
        "full kit for one partner, and the cached ZIP",
        [
            ("generate_wall_s", "<=", 5, "s"),
            ("zip_median_ms", "<=", 100, "ms"),
        ],
    ),
    "slow_clients.py": (
        "/healthz while 20 tus PATCHes trickle one byte every 2 s (nginx + gthread)",
        [
            ("after_healthz_failures", "<=", 0, "failed probes"),
            ("after_healthz_max_ms", "<=", 1000, "ms"),
        ],
    ),
    "gallery.py": (
        "gallery and story page, 10,000 stories, 50 clients, page cache off / on",
        [
            ("gallery_median_ms", "<=", 100, "ms (page cache off)"),
            ("gallery_cached_median_ms", "<=", 50, "ms (page cache on)"),
            ("story_median_ms", "<=", 100, "ms (page cache off)"),
            ("story_cached_median_ms", "<=", 50, "ms (page cache on)"),
        ],
    ),
}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    ffmpeg = subprocess.run(
        ["ffmpeg", "-version"], capture_output=True, text=True, check=False
    ).stdout.split(" Copyright", 1)[0]
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}; {platform.platform()}; "
        f"Python {platform.python_version()}; {ffmpeg}"
    )


def run(script: Path) -> tuple[dict[str, Any] | None, str, float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(script), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=3600,
    )
    elapsed = time.monotonic() - started
    lines = [line for line in result.stdout.strip().splitlines() if line.strip()]
    figures = None
    if result.returncode == 0 and lines:
        try:
            figures = json.loads(lines[-1])
        except json.JSONDecodeError:
            figures = None
    text = "\n".join(lines[:-1] if figures is not None else lines)
    if result.returncode != 0:
        text += f"\n(exit {result.returncode})\n" + result.stderr[-2000:]
    return figures, text, elapsed


def verdict(value: Any, op: str, target: Any) -> str:
    if op == "is":
        return "met" if value is target else ("no figure" if value is None else "**missed**")
    if not isinstance(value, int | float):
        return "no figure"
    ok = {"<=": value <= target, ">=": value >= target, "<": value < target}[op]
    return "met" if ok else "**missed**"


def main() -> None:
    scripts = sorted(
        p for p in (ROOT / "bench").glob("*.py") if p.name not in ("report.py", "common.py")
    )
    sections = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        figures, text, elapsed = run(script)
        print(text, flush=True)
        what, targets = TARGETS.get(script.name, (script.stem, []))
        rows = [
            f"| {key} | {figures.get(key) if figures else '—'} | {op} {target} {unit} | "
            f"{verdict(figures.get(key) if figures else None, op, target)} |"
            for key, op, target, unit in targets
        ]
        table = (
            "\n".join(["| figure | value | target | |", "|---|---|---|---|", *rows]) if rows else ""
        )
        body = json.dumps(figures, indent=2) if figures else "(no figures: see output)"
        sections.append(
            f"## {script.name} — {what}\n\n{table}\n\nRun time {elapsed:.0f} s.\n\n"
            f"<details><summary>all figures and output</summary>\n\n```json\n{body}\n```\n\n"
            f"```\n{text.strip()}\n```\n</details>\n"
        )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        "# Benchmarks\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` on: {machine()}.\n\n"
        "Each script in `bench/` prints its own figures; this report collects them and "
        "compares them with the targets named in the issues.\n\n" + "\n".join(sections)
    )
    print(f"wrote {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
