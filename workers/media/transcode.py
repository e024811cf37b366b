"""Master, preview and poster from one upload: copy what YouTube accepts, encode the rest.

``plan_transcode`` is pure: it turns a ``ProbeResult`` into the numbers (dimensions, frame rate,
bitrates, loudness filter) and decides the master's path. When the source's video is H.264 or
HEVC, 8-bit 4:2:0, square pixels, even dimensions up to 4K, a constant standard frame rate,
and no branding or burnt-in subtitles are asked for (``copy_refusal``), the master is that
stream copied, with the audio loudness-normalised to AAC 384 kbps, no metadata, chapters, data
or subtitle streams, ``moov`` first, and the rotation kept as the display matrix (YouTube
honours it, as players do). Everything else is encoded with x264 (High, VBR at YouTube's
recommended rate, peaks allowed to twice that).

The code lives in one module per seam: ``plan`` (pure planning), ``loudness`` (the filter chain
and the measuring pass), ``graph`` (ffmpeg command lines), ``process`` (running ffmpeg),
``verification`` (checking outputs) and ``runner`` (running a plan); this module chains them
in ``process_video`` and re-exports their public names so call sites stay short.

``build_command`` writes master and preview from one decode (the preview, a fast-preset 480p
encode, is decoded from the same stream the master copies, which also proves the copy decodes
from start to end). On the copy path the same decode also writes the poster's candidate frames
(2 per second from a few seconds after the start, no ``thumbnail`` filter: ffmpeg 5.1 writes
no ``-progress`` report until every output has its header, so the candidates must flow from
the window's first frame), and ``pick_poster`` chooses the one closest to their average
histogram. A transcode (and a poster-only rerun) gets the poster from a short second run
(``build_poster_command``). ``make_poster_variants`` scales the responsive posters from it.
``run_transcode`` runs those commands with progress, timeout and cancellation, verifies the
outputs and only then renames them into place. ``process_video`` chains probe → validate →
disk check → loudness measurement → plan → run (a failed run is followed by the decode check,
so a damaged file is refused as one), with one progress figure across all phases
(``JobProgress``).

Loudness: the master and preview are normalised to -14 LUFS integrated (EBU R128, TP -1.5,
LRA 11). When a measurement from ``measure_loudness`` (an audio-only pass: it decodes no video,
so the "one decode" rule for video holds) is passed to the plan, ``loudnorm`` runs in linear
mode, which keeps the dynamics and hits the target within a few tenths of a LU; loudnorm itself
falls back to its dynamic mode if a linear gain would push true peaks over -1.5 dBTP. Without a
measurement the plan uses single-pass dynamic loudnorm, which also lands within ±1 LU on our
test material but compresses dynamics.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from workers.media.errors import TranscodeCancelled, TranscodeFailed, TranscodeTimedOut
from workers.media.graph import (
    build_command,
    build_poster_command,
    font_for,
    make_poster_variants,
)
from workers.media.loudness import (
    LOUDNESS_TARGET_I,
    LOUDNESS_TARGET_LRA,
    LOUDNESS_TARGET_TP,
    LoudnessMeasurement,
    audio_filter_chain,
    measure_loudness,
)
from workers.media.plan import (
    ALL_OUTPUTS,
    COPY_CODECS,
    MASTER,
    OUTPUT_FILENAMES,
    POSTER,
    POSTER_WIDTHS,
    PREVIEW,
    PREVIEW_PRESET,
    STANDARD_FPS,
    Branding,
    OutputSummary,
    TranscodePlan,
    TranscodeResult,
    choose_fps,
    copy_refusal,
    fit_size,
    plan_transcode,
    youtube_video_kbps,
)
from workers.media.probe import check_decodable, probe_media, validate_probe
from workers.media.progress import JobProgress, Progress
from workers.media.runner import (
    ensure_free_space,
    estimate_needed_bytes,
    phase_weights,
    run_transcode,
    time_limits_for,
)

__all__ = [
    "ALL_OUTPUTS",
    "COPY_CODECS",
    "LOUDNESS_TARGET_I",
    "LOUDNESS_TARGET_LRA",
    "LOUDNESS_TARGET_TP",
    "MASTER",
    "OUTPUT_FILENAMES",
    "POSTER",
    "POSTER_WIDTHS",
    "PREVIEW",
    "PREVIEW_PRESET",
    "STANDARD_FPS",
    "Branding",
    "LoudnessMeasurement",
    "OutputSummary",
    "TranscodePlan",
    "TranscodeResult",
    "audio_filter_chain",
    "build_command",
    "build_poster_command",
    "choose_fps",
    "copy_refusal",
    "ensure_free_space",
    "estimate_needed_bytes",
    "fit_size",
    "font_for",
    "make_poster_variants",
    "measure_loudness",
    "phase_weights",
    "plan_transcode",
    "probe_media",
    "process_video",
    "run_transcode",
    "time_limits_for",
    "youtube_video_kbps",
]


def process_video(
    src: str | Path,
    workdir: str | Path,
    *,
    outputs: Iterable[str] | None = None,
    max_duration_s: float = 300,
    preset: str = "medium",
    on_progress: Callable[[Progress], None] | None = None,
    timeout_s: float | None = None,
    cancel_event: threading.Event | None = None,
    branding: Branding | None = None,
    progress_interval_s: float = 0.5,
    allow_copy: bool = True,
) -> TranscodeResult:
    """Probe, validate, check disk space, measure loudness, plan and run.

    ``on_progress`` hears one percentage across all phases (loudness pass, master and
    preview, poster, verification), at most every ``progress_interval_s``. A run that fails
    is followed by the decode check, so a damaged file is rejected as ``UNDECODABLE``.
    Raises ``MediaRejected`` (the upload is unusable: do not retry), ``InsufficientDiskSpace``,
    ``TranscodeFailed`` and its subclasses ``TranscodeTimedOut``/``TranscodeCancelled``.
    """
    probe = probe_media(src)
    validate_probe(probe, max_duration_s=max_duration_s)
    selected = frozenset(ALL_OUTPUTS if outputs is None else outputs)
    # Planned once without the loudness figure to know the path (and so the phase weights).
    draft = plan_transcode(
        probe, outputs=selected, preset=preset, branding=branding, allow_copy=allow_copy
    )
    job = JobProgress(
        phase_weights(draft), callback=on_progress, min_interval_s=progress_interval_s
    )
    # No decode check up front: the main run decodes the whole file (a copy's preview is
    # decoded from the stream the master copies) and ``verify_outputs`` checks durations and
    # the preview's frames. Only a run that failed is checked, so that a damaged file is still
    # refused as one, with a message the supporter can act on.
    ensure_free_space(workdir, needed_bytes=estimate_needed_bytes(duration_s=probe.duration_s))
    loudness = None
    job.start("loudness")
    if probe.has_audio and selected & {MASTER, PREVIEW}:
        loudness = measure_loudness(
            src,
            audio_stream_index=probe.audio_stream_index,
            duration_s=probe.duration_s,
            on_fraction=job.update,
            cancel_event=cancel_event,
            on_tick=job.tick,
        )
    plan = plan_transcode(
        probe,
        outputs=selected,
        loudness=loudness,
        preset=preset,
        branding=branding,
        allow_copy=allow_copy,
    )
    try:
        result = run_transcode(
            src,
            workdir,
            plan,
            timeout_s=timeout_s,
            cancel_event=cancel_event,
            job=job,
            source=probe,
        )
    except TranscodeFailed as exc:
        if not isinstance(exc, TranscodeCancelled | TranscodeTimedOut):
            check_decodable(src, duration_s=probe.duration_s)
        raise
    job.finish()
    return result
