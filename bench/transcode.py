"""Benchmark of the one-pass transcode.

Generates a 1080p30 clip with audio (testsrc2 + sine), then measures:

* ``run_transcode`` (one ffmpeg pass, progress parsing, verification, rename),
* the bare ffmpeg command with the identical arguments (target: run_transcode <= 1.10x),
* three separate ffmpeg runs for master, preview and poster (the single pass must win),
* speed as a multiple of real time and the peak RSS of the ffmpeg child processes,
* CPU seconds of the children per phase, which stay comparable when other work shares the
  machine (wall-clock ratios do not).

Each phase runs in its own Python child process so that ``ru_maxrss`` of its children belongs
to that phase alone. Usage::

    .venv/bin/python bench/transcode.py [--duration 60] [--preset medium] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workers.media import samples
from workers.media.transcode import (
    ALL_OUTPUTS,
    MASTER,
    POSTER,
    PREVIEW,
    build_command,
    measure_loudness,
    plan_transcode,
    probe_media,
    run_transcode,
)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _children_maxrss_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_phase(phase: str, src: Path, workdir: Path, preset: str) -> dict[str, float]:
    """Run one measured phase in this process and return its figures."""
    probe = probe_media(src)
    started = time.monotonic()
    loudness = measure_loudness(src, audio_stream_index=probe.audio_stream_index)
    loudness_s = time.monotonic() - started
    figures: dict[str, float] = {"loudness_pass_s": loudness_s}
    cpu_before = _children_cpu_s()
    if phase == "single":
        plan = plan_transcode(probe, loudness=loudness, preset=preset)
        started = time.monotonic()
        result = run_transcode(src, workdir, plan)
        figures["wall_s"] = time.monotonic() - started
        figures["master_kbps"] = result.summaries[MASTER].bit_rate / 1000
    elif phase == "bare":
        plan = plan_transcode(probe, loudness=loudness, preset=preset)
        targets = {name: workdir / f"bare-{name}" for name in ALL_OUTPUTS}
        cmd = build_command(plan, src=src, targets=targets)
        started = time.monotonic()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        figures["wall_s"] = time.monotonic() - started
    elif phase == "separate":
        total = 0.0
        for name in (MASTER, PREVIEW, POSTER):
            plan = plan_transcode(probe, outputs={name}, loudness=loudness, preset=preset)
            cmd = build_command(plan, src=src, targets={name: workdir / f"sep-{name}"})
            started = time.monotonic()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            figures[f"{name}_s"] = time.monotonic() - started
            total += figures[f"{name}_s"]
        figures["wall_s"] = total
    else:
        raise SystemExit(f"unknown phase {phase}")
    figures["cpu_s"] = _children_cpu_s() - cpu_before
    figures["peak_rss_mib"] = _children_maxrss_mib()
    return figures


def _spawn_phase(phase: str, src: Path, workdir: Path, preset: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--src", str(src), "--workdir",
         str(workdir), "--preset", preset],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--preset", default="medium")
    parser.add_argument("--json", action="store_true", help="print figures as JSON last")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--src", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        workdir = Path(args.workdir)
        print(json.dumps(run_phase(args.phase, Path(args.src), workdir, args.preset)))
        return

    with tempfile.TemporaryDirectory(prefix="bench-transcode-") as tmp:
        tmpdir = Path(tmp)
        started = time.monotonic()
        src = samples.make_clip(
            tmpdir / "source.mp4",
            width=1920,
            height=1080,
            fps="30",
            duration_s=args.duration,
            preset="veryfast",
            extra_args=["-b:v", "15M"],
        )
        generate_s = time.monotonic() - started
        phases = {}
        for phase in ("single", "bare", "separate"):
            workdir = tmpdir / phase
            workdir.mkdir()
            phases[phase] = _spawn_phase(phase, src, workdir, args.preset)

    single, bare, separate = phases["single"], phases["bare"], phases["separate"]
    figures = {
        "clip": f"{args.duration:.0f}s 1920x1080 30fps h264+aac",
        "preset": args.preset,
        "generate_s": round(generate_s, 2),
        "loudness_pass_s": round(single["loudness_pass_s"], 2),
        "run_transcode_s": round(single["wall_s"], 2),
        "bare_ffmpeg_s": round(bare["wall_s"], 2),
        "overhead_ratio": round(single["wall_s"] / bare["wall_s"], 3),
        "separate_runs_s": round(separate["wall_s"], 2),
        "separate_master_s": round(separate["master_s"], 2),
        "separate_preview_s": round(separate["preview_s"], 2),
        "separate_poster_s": round(separate["poster_s"], 2),
        "single_vs_separate_ratio": round(single["wall_s"] / separate["wall_s"], 3),
        "cpu_single_s": round(single["cpu_s"], 1),
        "cpu_bare_s": round(bare["cpu_s"], 1),
        "cpu_separate_s": round(separate["cpu_s"], 1),
        "cpu_single_vs_separate_ratio": round(single["cpu_s"] / separate["cpu_s"], 3),
        "speed_x_realtime": round(args.duration / single["wall_s"], 2),
        "speed_x_realtime_incl_loudness": round(
            args.duration / (single["wall_s"] + single["loudness_pass_s"]), 2
        ),
        "master_kbps": round(single["master_kbps"]),
        "peak_rss_single_mib": round(single["peak_rss_mib"], 1),
        "peak_rss_bare_mib": round(bare["peak_rss_mib"], 1),
        "peak_rss_separate_mib": round(separate["peak_rss_mib"], 1),
    }
    f = figures
    rows = [
        ("run_transcode (one pass)", f["run_transcode_s"], f["cpu_single_s"],
         f["peak_rss_single_mib"]),
        ("bare ffmpeg, same args", f["bare_ffmpeg_s"], f["cpu_bare_s"], f["peak_rss_bare_mib"]),
        ("separate runs (sum of 3)", f["separate_runs_s"], f["cpu_separate_s"],
         f["peak_rss_separate_mib"]),
        ("  master only", f["separate_master_s"], None, None),
        ("  preview only", f["separate_preview_s"], None, None),
        ("  poster only", f["separate_poster_s"], None, None),
        ("loudness pass (audio only)", f["loudness_pass_s"], None, None),
    ]  # fmt: skip
    print(f"Clip: {figures['clip']}, preset {args.preset}")
    print(f"{'phase':<28} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}")
    for label, wall, cpu, rss in rows:
        cpu_text = "" if cpu is None else f"{cpu:.1f}"
        rss_text = "" if rss is None else f"{rss:.1f}"
        print(f"{label:<28} {wall:>8.2f} {cpu_text:>8} {rss_text:>13}")
    print(
        f"overhead run_transcode/bare: {figures['overhead_ratio']:.3f} (target <= 1.10); "
        f"single/separate: wall {figures['single_vs_separate_ratio']:.3f}, "
        f"CPU {figures['cpu_single_vs_separate_ratio']:.3f} (must be < 1); "
        f"speed: {figures['speed_x_realtime']:.2f}x real time "
        f"({figures['speed_x_realtime_incl_loudness']:.2f}x with loudness pass)"
    )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
