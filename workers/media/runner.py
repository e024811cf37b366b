"""Running a plan: ffmpeg with progress and limits, verification, rename into place."""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from kernel.media_errors import TRANSCODE_REASONS
from workers.media.errors import (
    InsufficientDiskSpace,
    TranscodeFailed,
)
from workers.media.graph import (
    build_command,
    build_poster_command,
    make_poster_variants,
    pick_poster,
    poster_candidates_pattern,
    poster_in_main_run,
)
from workers.media.plan import (
    MASTER,
    MASTER_AUDIO_KBPS,
    OUTPUT_FILENAMES,
    POSTER,
    POSTER_SAMPLE_FPS,
    PREVIEW,
    PREVIEW_VIDEO_KBPS,
    YOUTUBE_SDR_KBPS,
    TranscodePlan,
    TranscodeResult,
)
from workers.media.probe import ProbeResult
from workers.media.process import remove_files, run_ffmpeg, stderr_tail
from workers.media.progress import JobProgress, Progress
from workers.media.verification import verify_outputs

# Shares of a job's time, measured on two cores (bench/transcode.py): a copy job spends
# most of its time on the preview, a transcode on the master's encode.
PHASE_WEIGHTS_COPY = {"loudness": 12, "encode": 78, "poster": 6, "verify": 4}
PHASE_WEIGHTS_TRANSCODE = {"loudness": 4, "encode": 90, "poster": 3, "verify": 3}


def phase_weights(plan: TranscodePlan) -> dict[str, float]:
    weights = PHASE_WEIGHTS_COPY if plan.copy_video else PHASE_WEIGHTS_TRANSCODE
    return {k: float(v) for k, v in weights.items()}


def run_transcode(
    src: str | Path,
    workdir: str | Path,
    plan: TranscodePlan,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    timeout_s: float | None = None,
    cancel_event: threading.Event | None = None,
    progress_interval_s: float = 1.0,
    job: JobProgress | None = None,
    source: ProbeResult | None = None,
) -> TranscodeResult:
    """Run ffmpeg for ``plan`` and move verified outputs into ``workdir``.

    One run writes master and preview (one decode), a short second run the poster, and the
    responsive posters are scaled from that. Outputs are written under hidden temporary
    names and renamed to ``OUTPUT_FILENAMES`` (variants: ``poster-<name>``) only after ffmpeg
    succeeded and every output probed as expected. Progress goes to ``job`` when given (a
    whole-job tracker), else to ``on_progress`` at most once per ``progress_interval_s`` and
    once with 100 %.

    Raises ``TranscodeFailed`` (ffmpeg error or bad output; ``stderr_tail`` has the last
    lines), ``TranscodeTimedOut`` after ``timeout_s``, ``TranscodeCancelled`` when
    ``cancel_event`` is set. In those cases, and for any exception raised into this function
    (e.g. Celery's ``SoftTimeLimitExceeded``), the ffmpeg process group is killed and the
    temporary files are removed before the exception propagates.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:12]
    temps = {name: workdir / f".{OUTPUT_FILENAMES[name]}.{token}.part" for name in plan.outputs}
    targets = {name: workdir / OUTPUT_FILENAMES[name] for name in plan.outputs}
    owns_job = job is None
    if job is None:
        job = JobProgress(
            phase_weights(plan), callback=on_progress, min_interval_s=progress_interval_s
        )
    started = time.monotonic()
    deadline = started + timeout_s if timeout_s is not None else None

    def remaining() -> float | None:
        return None if deadline is None else max(deadline - time.monotonic(), 0.01)

    cmd: list[str] = []
    variants: dict[str, Path] = {}
    try:
        if plan.outputs & {MASTER, PREVIEW}:
            cmd = build_command(plan, src=src, targets=temps)
            job.start("encode")
            returncode, stderr = run_ffmpeg(
                cmd,
                job.tracker(plan.expected_duration_s),
                timeout_s=remaining(),
                cancel_event=cancel_event,
                on_tick=job.tick,
            )
            if returncode != 0:
                raise TranscodeFailed(
                    TRANSCODE_REASONS["encode_failed"],
                    f"ffmpeg exited with status {returncode}.",
                    stderr_tail(stderr),
                )
        fused = poster_in_main_run(plan)
        if fused:
            candidates = sorted(
                workdir.glob(poster_candidates_pattern(temps[POSTER]).name.replace("%02d", "*"))
            )
            fused = pick_poster(candidates, temps[POSTER])
            job.tick()
        if POSTER in plan.outputs and not fused:
            poster_cmd = build_poster_command(plan, src=src, target=temps[POSTER])
            cmd = cmd or poster_cmd
            job.start("poster")
            window = plan.poster_frames / POSTER_SAMPLE_FPS + 0.5
            returncode, stderr = run_ffmpeg(
                poster_cmd,
                job.tracker(window),
                timeout_s=remaining(),
                cancel_event=cancel_event,
                on_tick=job.tick,
            )
            if returncode != 0:
                raise TranscodeFailed(
                    TRANSCODE_REASONS["poster_failed"],
                    f"ffmpeg (poster) exited with status {returncode}.",
                    stderr_tail(stderr),
                )
        job.start("verify")
        summaries = verify_outputs(plan, temps, source=source, on_fraction=job.update)
        if POSTER in plan.outputs:
            variants = make_poster_variants(temps[POSTER], workdir, on_step=job.tick)
        for name, temp in temps.items():
            os.replace(temp, targets[name])
        final_variants = {}
        for name, temp in variants.items():
            final = workdir / f"poster-{name}"
            os.replace(temp, final)
            final_variants[name] = final
    except BaseException:
        remove_files([*temps.values(), *variants.values()])
        if POSTER in temps:
            pattern = poster_candidates_pattern(temps[POSTER]).name.replace("%02d", "*")
            remove_files(workdir.glob(pattern))
        raise

    if owns_job:
        job.finish()
    wall = time.monotonic() - started
    return TranscodeResult(
        paths=targets,
        summaries=summaries,
        wall_time_s=wall,
        speed_x=plan.expected_duration_s / wall if wall > 0 else 0.0,
        command=cmd,
        poster_variants=final_variants,
        master_mode="copy" if plan.copy_video else "transcode",
    )


# --------------------------------------------------------------------------- resources


def estimate_needed_bytes(*, duration_s: float, source_bytes: int = 0) -> int:
    """Disk space a transcode needs in its working directory.

    Master at the highest YouTube rate plus audio, the preview, the poster and 25 % headroom,
    plus ``source_bytes`` when the source still has to be copied into the working directory.
    """
    kbps = YOUTUBE_SDR_KBPS[0][2] + MASTER_AUDIO_KBPS + PREVIEW_VIDEO_KBPS * 5 // 4
    outputs = duration_s * kbps * 1000 / 8
    return int(source_bytes + outputs * 1.25 + 16 * 1024 * 1024)


def ensure_free_space(workdir: str | Path, *, needed_bytes: int) -> None:
    """Raise ``InsufficientDiskSpace`` if ``workdir``'s file system has less than needed.

    ``workdir`` may not exist yet; its nearest existing parent is checked.
    """
    path = Path(workdir)
    while not path.exists() and path != path.parent:
        path = path.parent
    free = shutil.disk_usage(path).free
    if free < needed_bytes:
        raise InsufficientDiskSpace(path=str(path), needed_bytes=needed_bytes, free_bytes=free)


def time_limits_for(duration_s: float) -> tuple[int, int]:
    """Celery ``(soft, hard)`` time limits in seconds for a clip of ``duration_s``.

    soft = 120 s fixed overhead (download, probe, decode check, loudness pass, upload) plus
    6 s per media second (the medium preset on two cores runs a 1080p clip at roughly
    0.5-1x real time, so 6x leaves room for a busy machine); hard = soft + 60 s so the soft
    handler can kill ffmpeg and clean up.
    """
    soft = int(120 + 6 * max(duration_s, 0.0))
    return soft, soft + 60


# --------------------------------------------------------------------------- whole pipeline
