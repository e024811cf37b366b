"""Benchmark of the media job: copy what YouTube accepts, encode what is watched here.

Generates three clips (default 30 s each, with audio): a 1080p30 H.264 phone clip, a rotated
1080p30 HEVC phone clip and a 720p30 VP9 WebM. For each it measures, in the same run:

* ``job``: ``process_video`` as the worker runs it (loudness pass, master and preview with the
  poster's candidates in one run on the copy path, decode check and poster run only for
  transcodes, verification, responsive posters), its wall time as a multiple of the
  clip's length, the path taken (copy/transcode) and the progress cadence (first report,
  largest gap between two rising reports);
* ``bare``: the same ffmpeg commands (loudness pass, main run, poster run where there is one)
  without the wrapper;
* ``floor``: the practical minimum for the same outputs: one ffmpeg run with the master's
  video copied and its audio loudness-normalised (single pass) to AAC 384k, metadata
  stripped, moov first, a 480p preview (the job's size: 480 on the short side) and a poster
  from one decode.

Each phase runs in its own Python child process so that ``ru_maxrss`` of its children (peak
RSS of the ffmpeg processes) belongs to that phase alone. Usage::

    .venv/bin/python bench/transcode.py [--duration 30] [--preset medium] [--json]
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

import itertools

from workers.media import samples
from workers.media.graph import poster_in_main_run
from workers.media.transcode import (
    build_command,
    build_poster_command,
    measure_loudness,
    plan_transcode,
    probe_media,
    process_video,
)

CLIPS = ("h264_1080p", "hevc_rotated", "vp9_720p")


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _children_maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux


def make_clip(kind: str, folder: Path, duration: float) -> Path:
    if kind == "h264_1080p":
        return samples.make_clip(
            folder / "h264.mp4", width=1920, height=1080, duration_s=duration,
            preset="veryfast", extra_args=["-b:v", "10M"], metadata=samples.PHONE_METADATA,
        )  # fmt: skip
    if kind == "hevc_rotated":
        land = samples.make_clip(
            folder / "hevc-land.mp4", width=1920, height=1080, duration_s=duration,
            video_codec="libx265", preset="ultrafast", extra_args=["-b:v", "8M"],
            metadata=samples.PHONE_METADATA,
        )  # fmt: skip
        return samples.set_rotation(land, folder / "hevc.mov", degrees=90)
    return samples.make_clip(
        folder / "vp9.webm", width=1280, height=720, duration_s=duration,
        video_codec="libvpx-vp9", audio_codec="libopus",
    )  # fmt: skip


def _floor_command(src: Path, workdir: Path, preview_size: tuple[int, int]) -> list[str]:
    # The preview the job writes: 480 on the short side, portrait clips too.
    width, height = preview_size
    graph = (
        f"[0:v]fps=30,scale={width}:{height},setsar=1,format=yuv420p,split=2[p][q];"
        "[q]trim=start=1,fps=2,thumbnail=n=10[t]"
    )
    return [
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(src),
        "-filter_complex", graph,
        "-map", "0:v", "-map", "0:a?", "-c:v", "copy",
        "-af", "loudnorm=I=-14:TP=-1.5:LRA=11", "-c:a", "aac", "-b:a", "384k", "-ar", "48000",
        "-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart",
        str(workdir / "floor-master.mp4"),
        "-map", "[p]", "-map", "0:a?", "-c:v", "libx264", "-preset", "veryfast",
        "-b:v", "800k", "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart",
        str(workdir / "floor-preview.mp4"),
        "-map", "[t]", "-frames:v", "1", "-update", "1", str(workdir / "floor-poster.jpg"),
    ]  # fmt: skip


def run_phase(phase: str, src: Path, workdir: Path, preset: str) -> dict[str, object]:
    """Run one measured phase in this process and return its figures."""
    figures: dict[str, object] = {}
    cpu_before = _children_cpu_s()
    started = time.monotonic()
    if phase == "job":
        stamps: list[tuple[float, float]] = []
        result = process_video(
            src,
            workdir,
            preset=preset,
            on_progress=lambda p: stamps.append((time.monotonic() - started, p.percent)),
            progress_interval_s=0.5,
        )
        figures["master_mode"] = result.master_mode
        rising = [stamps[0]] + [b for a, b in itertools.pairwise(stamps) if b[1] > a[1]]
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(rising)]
        figures["first_progress_s"] = round(stamps[0][0], 2)
        figures["first_rise_s"] = round(rising[1][0], 2) if len(rising) > 1 else None
        figures["max_progress_gap_s"] = round(max(gaps), 2) if gaps else None
        figures["progress_reports"] = len(stamps)
        figures["distinct_percents"] = len({p for _t, p in stamps})
    elif phase == "bare":
        probe = probe_media(src)
        loudness = measure_loudness(src, audio_stream_index=probe.audio_stream_index)
        plan = plan_transcode(probe, loudness=loudness, preset=preset)
        figures["master_mode"] = "copy" if plan.copy_video else "transcode"
        targets = {name: workdir / f"bare-{name}" for name in plan.outputs}
        commands = [build_command(plan, src=src, targets=targets)]
        if not poster_in_main_run(plan):  # else the main run writes the poster's candidates
            commands.append(build_poster_command(plan, src=src, target=targets["poster"]))
        for cmd in commands:
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elif phase == "floor":
        preview_size = plan_transcode(probe_media(src), preset=preset).preview_size
        started, cpu_before = time.monotonic(), _children_cpu_s()  # the plan is not the floor's
        command = _floor_command(src, workdir, preview_size)
        subprocess.run(command, check=True, capture_output=True)
    else:
        raise SystemExit(f"unknown phase {phase}")
    figures["wall_s"] = round(time.monotonic() - started, 2)
    figures["cpu_s"] = round(_children_cpu_s() - cpu_before, 1)
    figures["peak_rss_mib"] = round(_children_maxrss_mib(), 1)
    return figures


def _spawn_phase(phase: str, src: Path, workdir: Path, preset: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--src", str(src), "--workdir",
         str(workdir), "--preset", preset],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def _warm_up(src: Path) -> None:
    """Read the clip and load ffmpeg's decoders and encoders once, outside every phase.

    Without it the first phase (the job) alone pays for a cold page cache and library loads.
    """
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(src), "-t", "2", "-map", "0:v:0",
         "-c:v", "libx264", "-preset", "ultrafast", "-map", "0:a:0?", "-c:a", "aac",
         "-f", "null", "-"],
        check=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--preset", default="medium")
    parser.add_argument("--clips", default=",".join(CLIPS))
    parser.add_argument("--json", action="store_true", help="print figures as JSON last")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--src", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        print(json.dumps(run_phase(args.phase, Path(args.src), Path(args.workdir), args.preset)))
        return

    figures: dict[str, object] = {"duration_s": args.duration, "preset": args.preset}
    print(f"{args.duration:.0f} s clips, x264 preset {args.preset} for transcoded masters")
    print(
        f"{'clip':<14} {'path':<9} {'job s':>7} {'×clip':>6} {'bare s':>7} {'floor s':>8} "
        f"{'job/bare':>8} {'job/floor':>9} {'RSS MiB':>8} {'1st rise':>8} {'max gap':>7}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-transcode-") as tmp:
        for kind in args.clips.split(","):
            folder = Path(tmp) / kind
            folder.mkdir()
            src = make_clip(kind, folder, args.duration)
            _warm_up(src)
            phases = {}
            for phase in ("job", "bare", "floor"):
                workdir = folder / phase
                workdir.mkdir()
                phases[phase] = _spawn_phase(phase, src, workdir, args.preset)
            job, bare, floor = phases["job"], phases["bare"], phases["floor"]
            row = {
                "path": job["master_mode"],
                "job_s": job["wall_s"],
                "job_x_clip": round(float(job["wall_s"]) / args.duration, 3),  # type: ignore[arg-type]
                "bare_s": bare["wall_s"],
                "floor_s": floor["wall_s"],
                "job_vs_bare": round(float(job["wall_s"]) / float(bare["wall_s"]), 3),  # type: ignore[arg-type]
                "job_vs_floor": round(float(job["wall_s"]) / float(floor["wall_s"]), 3),  # type: ignore[arg-type]
                "cpu_job_s": job["cpu_s"],
                "cpu_bare_s": bare["cpu_s"],
                "cpu_floor_s": floor["cpu_s"],
                # CPU seconds stay comparable when other work shares the machine.
                "cpu_job_vs_bare": round(float(job["cpu_s"]) / float(bare["cpu_s"]), 3),  # type: ignore[arg-type]
                "cpu_job_vs_floor": round(float(job["cpu_s"]) / float(floor["cpu_s"]), 3),  # type: ignore[arg-type]
                "peak_rss_job_mib": job["peak_rss_mib"],
                "peak_rss_floor_mib": floor["peak_rss_mib"],
                "first_progress_s": job["first_progress_s"],
                "first_rise_s": job["first_rise_s"],
                "max_progress_gap_s": job["max_progress_gap_s"],
                "distinct_percents": job["distinct_percents"],
            }
            figures[kind] = row
            print(
                f"{kind:<14} {row['path']:<9} {row['job_s']:>7} {row['job_x_clip']:>6} "
                f"{row['bare_s']:>7} {row['floor_s']:>8} {row['job_vs_bare']:>8} "
                f"{row['job_vs_floor']:>9} {row['peak_rss_job_mib']:>8} "
                f"{row['first_rise_s']!s:>8} {row['max_progress_gap_s']!s:>7}"
            )
            print(
                f"{'':<14} CPU s: job {row['cpu_job_s']}, bare {row['cpu_bare_s']}, "
                f"floor {row['cpu_floor_s']} (job/bare {row['cpu_job_vs_bare']}, "
                f"job/floor {row['cpu_job_vs_floor']})"
            )
    copies = [v for k, v in figures.items() if isinstance(v, dict) and v["path"] == "copy"]
    encodes = [v for k, v in figures.items() if isinstance(v, dict) and v["path"] != "copy"]
    rows = copies + encodes
    figures["copy_job_x_clip_max"] = max((r["job_x_clip"] for r in copies), default=None)
    figures["copy_job_vs_floor_max"] = max((r["job_vs_floor"] for r in copies), default=None)
    figures["copy_peak_rss_mib_max"] = max((r["peak_rss_job_mib"] for r in copies), default=None)
    figures["copy_cpu_job_vs_floor_max"] = max(
        (r["cpu_job_vs_floor"] for r in copies), default=None
    )
    figures["transcode_cpu_job_vs_bare_max"] = max(
        (r["cpu_job_vs_bare"] for r in encodes), default=None
    )
    figures["transcode_job_vs_bare_max"] = max((r["job_vs_bare"] for r in encodes), default=None)
    figures["max_progress_gap_s"] = max((r["max_progress_gap_s"] or 0 for r in rows), default=None)
    print(
        "targets: copy ≤ 0.5× clip and ≤ 1.2× floor, copy RSS ≤ 256 MiB, "
        "transcode ≤ 1.05× bare, progress gap ≤ 2 s"
    )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
