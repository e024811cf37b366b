"""Master, preview and poster from one upload: copy what YouTube accepts, encode the rest.

``plan_transcode`` is pure: it turns a ``ProbeResult`` into the numbers (dimensions, frame rate,
bitrates, loudness filter) and decides the master's path. When the source's video is H.264 or
HEVC, 8-bit 4:2:0, square pixels, even dimensions up to 4K, a constant standard frame rate,
and no branding or burnt-in subtitles are asked for (``copy_refusal``), the master is that
stream copied, with the audio loudness-normalised to AAC 384 kbps, no metadata, chapters, data
or subtitle streams, ``moov`` first, and the rotation kept as the display matrix (YouTube
honours it, as players do). Everything else is encoded with x264 (High, VBR at YouTube's
recommended rate, peaks allowed to twice that).

``build_command`` writes master and preview from one decode (the preview, a fast-preset 480p
encode, is decoded from the same stream the master copies, which also proves the copy decodes
from start to end); ``build_poster_command`` is a short second run that picks the poster from a
few seconds after the start, and ``make_poster_variants`` scales the responsive posters from
it. The poster is not an output of the main run because ffmpeg 5.1 writes no ``-progress``
report until every output has its header, and the poster's header waits for its frame.
``run_transcode`` runs those commands with progress, timeout and cancellation, verifies the
outputs and only then renames them into place. ``process_video`` chains probe → validate →
decode check → disk check → loudness measurement → plan → run, with one progress figure across
all phases (``JobProgress``).

Loudness: the master and preview are normalised to -14 LUFS integrated (EBU R128, TP -1.5,
LRA 11). When a measurement from ``measure_loudness`` (an audio-only pass: it decodes no video,
so the "one decode" rule for video holds) is passed to the plan, ``loudnorm`` runs in linear
mode, which keeps the dynamics and hits the target within a few tenths of a LU; loudnorm itself
falls back to its dynamic mode if a linear gain would push true peaks over -1.5 dBTP. Without a
measurement the plan uses single-pass dynamic loudnorm, which also lands within ±1 LU on our
test material but compresses dynamics.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import ffmpeg

from workers.media.errors import (
    InsufficientDiskSpace,
    MediaRejected,
    TranscodeCancelled,
    TranscodeFailed,
    TranscodeTimedOut,
)
from workers.media.probe import FFMPEG, ProbeResult, check_decodable, probe_media, validate_probe
from workers.media.progress import JobProgress, Progress, ProgressTracker

MASTER = "master"
PREVIEW = "preview"
POSTER = "poster"
ALL_OUTPUTS: frozenset[str] = frozenset({MASTER, PREVIEW, POSTER})
OUTPUT_FILENAMES: dict[str, str] = {
    MASTER: "master.mp4",
    PREVIEW: "preview.mp4",
    POSTER: "poster.jpg",
}

STANDARD_FPS: tuple[Fraction, ...] = (
    Fraction(24000, 1001),
    Fraction(24),
    Fraction(25),
    Fraction(30000, 1001),
    Fraction(30),
    Fraction(50),
    Fraction(60000, 1001),
    Fraction(60),
)

# YouTube's recommended SDR upload bitrates in kbit/s by short side: (≤30 fps, >30 fps).
YOUTUBE_SDR_KBPS: tuple[tuple[int, int, int], ...] = (
    (1080, 8000, 12000),
    (720, 5000, 7500),
    (480, 2500, 4000),
    (0, 1000, 1500),
)

LOUDNESS_TARGET_I = -14.0
LOUDNESS_TARGET_TP = -1.5
LOUDNESS_TARGET_LRA = 11.0
# Below this integrated loudness the track is treated as silence and left alone.
SILENCE_LUFS = -70.0

PREVIEW_SHORT_SIDE = 480
PREVIEW_VIDEO_KBPS = 800
PREVIEW_AUDIO_KBPS = 96
# YouTube's upload guidance: AAC-LC, 384 kbps for stereo.
MASTER_AUDIO_KBPS = 384
# What is watched here (the moderators' preview, the poster) is encoded fast.
PREVIEW_PRESET = "veryfast"
# Sources YouTube takes as they are: codec → the MP4 sample entry it gets.
COPY_CODECS: dict[str, str] = {"h264": "avc1", "hevc": "hvc1"}
COPY_PIX_FMTS = frozenset({"yuv420p", "yuvj420p"})
COPY_MAX_SIZE = (3840, 2160)  # long, short side
# Responsive poster widths (JPEG and WebP each) and the OpenGraph crop.
POSTER_WIDTHS = (320, 640, 1280)
OG_SIZE = (1200, 630)
POSTER_MAX_WIDTH = 1280
POSTER_WINDOW_S = 5.0
POSTER_SAMPLE_FPS = 2
STDERR_TAIL_LINES = 20


# An audio filter as (name, ((option, value), ...)), hashable so plans stay immutable.
AudioFilter = tuple[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True, slots=True)
class LoudnessMeasurement:
    """First-pass ``loudnorm`` measurement (the ``input_*`` figures it prints)."""

    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float

    @property
    def is_silent(self) -> bool:
        return not math.isfinite(self.input_i) or self.input_i < SILENCE_LUFS


FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/truetype/dejavu"))
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def font_for(text: str, *, bold: bool = True) -> str:
    """A font that has the glyphs of ``text``: Noto Sans Arabic for Arabic script."""
    weight = "Bold" if bold else "Regular"
    names = [f"NotoSansArabic-{weight}.ttf"] if _ARABIC.search(text) else []
    names += [f"NotoSans-{weight}.ttf", f"DejaVuSans{'-Bold' if bold else ''}.ttf"]
    for name in names:
        for folder in FONT_DIRS:
            if (folder / name).is_file():
                return str(folder / name)
    raise FileNotFoundError("no usable font: install fonts-noto-core (make run does)")


@dataclass(frozen=True, slots=True)
class Branding:
    """The campaign's look on the YouTube master (never on the moderators' preview).

    Intro and outro cards in the campaign colour with the claim (and logo), a small corner
    mark, the submitter's chosen credit as a lower third, subtitles burnt in on request.
    """

    claim: str = "ZUSAMMEN. MEHR."
    colour: str = "#0b4f8a"
    intro_s: float = 2.0
    outro_s: float = 2.5
    outro_text: str = ""
    corner_mark: bool = True
    lower_third: str = ""
    lower_third_start_s: float = 1.0
    lower_third_end_s: float = 6.0
    logo_path: str | None = None
    subtitles_path: str | None = None

    @property
    def extra_s(self) -> float:
        return self.intro_s + self.outro_s


@dataclass(frozen=True, slots=True)
class TranscodePlan:
    """Everything ``build_command`` needs, derived from the probe only (no I/O)."""

    outputs: frozenset[str]
    duration_s: float
    fps: Fraction
    gop: int
    master_size: tuple[int, int]
    preview_size: tuple[int, int]
    poster_size: tuple[int, int]
    video_kbps: int
    audio_kbps: int
    preset: str
    preview_preset: str
    video_stream_index: int
    audio_stream_index: int | None
    audio_filters: tuple[AudioFilter, ...] | None  # None → silent track from anullsrc
    poster_start_s: float
    poster_frames: int
    input_duration_limit_s: float | None  # decode only this much (poster-only runs)
    branding: Branding | None = None
    # The master is the source's video stream, copied (see ``copy_refusal``); "" otherwise.
    copy_tag: str = ""
    copy_refused: str = ""

    @property
    def copy_video(self) -> bool:
        return bool(self.copy_tag)

    @property
    def expected_duration_s(self) -> float:
        if self.input_duration_limit_s:
            return self.input_duration_limit_s
        if self.branding is not None and MASTER in self.outputs:
            return self.duration_s + self.branding.extra_s  # the master is the longest output
        return self.duration_s


@dataclass(frozen=True, slots=True)
class OutputSummary:
    width: int
    height: int
    duration_s: float
    fps: float
    bit_rate: int
    size_bytes: int


@dataclass(frozen=True, slots=True)
class TranscodeResult:
    """Final paths by output name plus what the run produced and how fast."""

    paths: dict[str, Path]
    summaries: dict[str, OutputSummary]
    wall_time_s: float
    speed_x: float  # media seconds per wall-clock second
    command: list[str] = field(repr=False)
    # Responsive posters by name ("320.jpg", "320.webp", …, "og.jpg") → file.
    poster_variants: dict[str, Path] = field(default_factory=dict)
    master_mode: str = "transcode"  # or "copy"


# --------------------------------------------------------------------------- planning


def choose_fps(probe: ProbeResult) -> Fraction:
    """Snap the source rate to a standard rate in 23.976…60.

    Phones record variable frame rate with ``r_frame_rate`` at the nominal (highest) rate and
    a lower average; the nominal rate wins when plausible, so a 60 fps clip with dropped
    frames stays 60 fps. High-speed rates are halved, low ones doubled, then the nearest
    standard rate is used.
    """
    r_fps, avg_fps = probe.r_fps, probe.avg_fps
    # r_frame_rate can be a timebase artefact (90000/1) or a guess below the real average.
    r_plausible = r_fps > 0 and (not avg_fps or avg_fps / 1.01 <= r_fps <= avg_fps * 4)
    rate = r_fps if r_plausible else (avg_fps or r_fps or 30.0)
    while rate > 61:
        rate /= 2
    while rate < 23:
        rate *= 2
    return _nearest_standard_fps(rate)


def _nearest_standard_fps(rate: float) -> Fraction:
    """The standard rate closest to ``rate``; ties go to the higher rate."""
    return min(STANDARD_FPS, key=lambda std: (abs(float(std) - rate), -float(std)))


def _even(value: float) -> int:
    # Round down so an odd source is cropped by a pixel rather than upscaled.
    return max(2, int(value / 2 + 1e-6) * 2)


def fit_size(width: int, height: int, *, box_long: int, box_short: int) -> tuple[int, int]:
    """Scale (never up) to fit a box oriented like the source; even dimensions."""
    box_w, box_h = (box_short, box_long) if height > width else (box_long, box_short)
    scale = min(1.0, box_w / width, box_h / height)
    return min(_even(width * scale), box_w), min(_even(height * scale), box_h)


def youtube_video_kbps(size: tuple[int, int], fps: Fraction) -> int:
    """YouTube's recommended SDR upload bitrate for the master's size and rate."""
    short_side = min(size)
    for min_short, standard, high in YOUTUBE_SDR_KBPS:
        if short_side >= min_short:
            return high if fps > 31 else standard
    return YOUTUBE_SDR_KBPS[-1][1]  # pragma: no cover - last tier matches everything


def audio_filter_chain(measurement: LoudnessMeasurement | None) -> tuple[AudioFilter, ...]:
    """The audio chain for master and preview: loudness, then 48 kHz stereo float.

    With a measurement: one constant gain when it keeps true peaks under the limit (what
    loudnorm's linear mode would apply), else linear two-pass loudnorm; silence is left
    alone. Without a measurement: single-pass dynamic loudnorm.
    """
    target = (
        ("I", f"{LOUDNESS_TARGET_I}"),
        ("TP", f"{LOUDNESS_TARGET_TP}"),
        ("LRA", f"{LOUDNESS_TARGET_LRA}"),
    )
    tail: tuple[AudioFilter, ...] = (
        ("aresample", (("out_sample_rate", "48000"),)),
        (
            "aformat",
            (("sample_fmts", "fltp"), ("sample_rates", "48000"), ("channel_layouts", "stereo")),
        ),
    )
    if measurement is None:
        return (("loudnorm", target), *tail)
    if measurement.is_silent:
        return tail
    m = measurement
    gain = LOUDNESS_TARGET_I - m.input_i
    if m.input_tp + gain <= LOUDNESS_TARGET_TP and m.input_lra <= LOUDNESS_TARGET_LRA:
        # Exactly what loudnorm's linear mode does in this case (one constant gain), without
        # its 192 kHz resampling and look-ahead buffer: 120 MiB less peak memory on 1080p.
        return (("volume", (("volume", f"{gain:.2f}dB"),)), *tail)
    measured = (
        ("measured_I", f"{m.input_i:.2f}"),
        ("measured_TP", f"{m.input_tp:.2f}"),
        ("measured_LRA", f"{m.input_lra:.2f}"),
        ("measured_thresh", f"{m.input_thresh:.2f}"),
        ("offset", f"{m.target_offset:.2f}"),
        ("linear", "true"),
    )
    return (("loudnorm", target + measured), *tail)


def copy_refusal(probe: ProbeResult, *, branding: Branding | None = None) -> str:
    """Why the source's video cannot be the master as it is; "" when it can.

    YouTube takes H.264 and HEVC in MP4/MOV as they come: 8-bit 4:2:0, square pixels, even
    dimensions up to 4K, a constant standard frame rate. It honours the display matrix
    (rotation), so a rotated phone clip keeps its matrix instead of being turned in pixels.
    Campaign branding and burnt-in subtitles always need a new encode.
    """
    if branding is not None:
        return "branding"
    if probe.video_codec not in COPY_CODECS:
        return f"codec {probe.video_codec}"
    if probe.pix_fmt not in COPY_PIX_FMTS or probe.bit_depth != 8:
        return f"pixel format {probe.pix_fmt}"
    if probe.sample_aspect != 1:
        return f"sample aspect {probe.sample_aspect}"
    if probe.coded_width % 2 or probe.coded_height % 2:
        return f"odd size {probe.coded_width}x{probe.coded_height}"
    long_side, short_side = max(probe.width, probe.height), min(probe.width, probe.height)
    if long_side > COPY_MAX_SIZE[0] or short_side > COPY_MAX_SIZE[1]:
        return f"size {probe.width}x{probe.height}"
    if probe.is_vfr:
        return "variable frame rate"
    nearest = _nearest_standard_fps(probe.r_fps)
    if not probe.r_fps or abs(probe.r_fps - float(nearest)) > float(nearest) * 0.002:
        return f"frame rate {probe.r_fps:.3f}"
    return ""


def plan_transcode(
    probe: ProbeResult,
    *,
    outputs: Iterable[str] | None = None,
    loudness: LoudnessMeasurement | None = None,
    preset: str = "medium",
    preview_preset: str | None = None,
    branding: Branding | None = None,
    allow_copy: bool = True,
) -> TranscodePlan:
    """Decide sizes, rate, bitrates and filters for ``probe``; pure and deterministic.

    ``outputs`` is a subset of ``ALL_OUTPUTS`` (default: all), so a re-run can produce only
    what is missing; ``branding`` changes the master only. Raises ``ValueError`` for an
    unknown output name, an empty selection or a probe without a video stream.
    """
    selected = frozenset(ALL_OUTPUTS if outputs is None else outputs)
    unknown = selected - ALL_OUTPUTS
    if unknown or not selected:
        raise ValueError(f"outputs must be a non-empty subset of {sorted(ALL_OUTPUTS)}")
    if probe.video_stream_index is None or probe.width <= 0 or probe.height <= 0:
        raise ValueError("probe has no usable video stream; call validate_probe first")

    fps = choose_fps(probe)
    refused = copy_refusal(probe, branding=branding) if allow_copy else "not allowed"
    copy_tag = "" if refused or MASTER not in selected else COPY_CODECS[probe.video_codec]
    if copy_tag:
        master_size = (probe.width, probe.height)  # the source's, as displayed
    else:
        master_size = fit_size(probe.width, probe.height, box_long=1920, box_short=1080)
    short = min(master_size)
    preview_scale = min(1.0, PREVIEW_SHORT_SIDE / short)
    preview_size = (_even(master_size[0] * preview_scale), _even(master_size[1] * preview_scale))
    poster_scale = min(1.0, POSTER_MAX_WIDTH / master_size[0])
    poster_size = (_even(master_size[0] * poster_scale), _even(master_size[1] * poster_scale))

    duration = probe.duration_s
    # Skip a typical fade-in; sample a bounded window so memory stays small.
    poster_start = min(1.0, duration * 0.2) if duration > 2 else 0.0
    window = max(min(POSTER_WINDOW_S, duration - poster_start), 0.5)
    poster_frames = max(1, math.ceil(window * POSTER_SAMPLE_FPS))
    only_poster = selected == {POSTER}

    return TranscodePlan(
        outputs=selected,
        duration_s=duration,
        fps=fps,
        gop=max(1, int(float(fps) / 2 + 0.5)),
        master_size=master_size,
        preview_size=preview_size,
        poster_size=poster_size,
        video_kbps=youtube_video_kbps(master_size, fps),
        audio_kbps=MASTER_AUDIO_KBPS,
        preset=preset,
        preview_preset=preview_preset or PREVIEW_PRESET,
        video_stream_index=probe.video_stream_index,
        audio_stream_index=probe.audio_stream_index if probe.has_audio else None,
        audio_filters=audio_filter_chain(loudness) if probe.has_audio else None,
        poster_start_s=poster_start,
        poster_frames=poster_frames,
        input_duration_limit_s=round(min(poster_start + window + 0.5, duration), 3)
        if only_poster
        else None,
        branding=branding if MASTER in selected else None,
        copy_tag=copy_tag,
        copy_refused=refused,
    )


def _privacy_options() -> dict[str, Any]:
    # Nothing from the phone survives: no global/stream/chapter metadata, no muxer "encoder"
    # tag; handler names are set to neutral values instead of being copied.
    return {
        "map_metadata": -1,
        "map_chapters": -1,
        "fflags": "+bitexact",
        "metadata:s:v": "handler_name=VideoHandler",
        "metadata:s:a": "handler_name=SoundHandler",
    }


def _text(stream: Any, text: str, **options: Any) -> Any:
    # expansion=none: a name with "%" is text, not a drawtext function call.
    return stream.filter(
        "drawtext", fontfile=font_for(text), text=text, expansion="none", **options
    )


def _brand(plan: TranscodePlan, brand: Branding, video: Any, audio: Any) -> tuple[Any, Any]:
    """Corner mark, lower third and burnt-in subtitles on the clip; cards before and after."""
    width, height = plan.master_size
    if brand.subtitles_path:
        video = video.filter(
            "subtitles",
            brand.subtitles_path,
            # ASS sizes are relative to a 288-line script, so this scales with the video.
            force_style="FontName=Noto Sans,FontSize=18,Outline=2",
        )
    if brand.corner_mark:
        video = _text(
            video,
            brand.claim,
            fontsize=max(12, height // 30),
            fontcolor="white@0.9",
            x="w-tw-w*0.03",
            y="h*0.03",
            box=1,
            boxcolor="black@0.35",
            boxborderw=max(4, height // 100),
        )
    if brand.lower_third:
        start, end = brand.lower_third_start_s, brand.lower_third_end_s
        video = _text(
            video,
            brand.lower_third,
            fontsize=max(14, height // 20),
            fontcolor="white",
            x="w*0.05",
            y="h*0.80",
            box=1,
            boxcolor=f"{brand.colour}@0.9",
            boxborderw=max(6, height // 60),
            enable=f"between(t,{start:.2f},{end:.2f})",
        )

    if brand.extra_s <= 0:
        return video, audio  # subtitles or marks only: no cards
    # One background, logo and silence source each, split for the two cards: ffmpeg-python
    # would merge two identical source nodes into one with two outputs, which ffmpeg refuses.
    count = (brand.intro_s > 0) + (brand.outro_s > 0)
    longest = max(brand.intro_s, brand.outro_s)
    backgrounds = ffmpeg.input(
        f"color=c={brand.colour}:s={width}x{height}:r={plan.fps}:d={longest:.3f}", f="lavfi"
    ).video.filter_multi_output("split", count)
    quiet = (
        ffmpeg.input("anullsrc=r=48000:cl=stereo", f="lavfi", t=f"{longest:.3f}")
        .audio.filter("aformat", sample_rates=48000, channel_layouts="stereo")
        .filter_multi_output("asplit", count)
    )
    logos = None
    if brand.logo_path:
        logos = (
            ffmpeg.input(brand.logo_path, loop=1, t=f"{longest:.3f}")
            .video.filter("scale", w=-2, h=max(2, height // 6 // 2 * 2))
            .filter_multi_output("split", count)
        )

    def card(index: int, seconds: float, subline: str) -> tuple[Any, Any]:
        frame = backgrounds.stream(index).filter("trim", duration=f"{seconds:.3f}")
        if logos is not None:
            logo = logos.stream(index).filter("trim", duration=f"{seconds:.3f}")
            frame = ffmpeg.overlay(frame, logo, x="(W-w)/2", y="H*0.14", shortest=1)
        frame = _text(
            frame,
            brand.claim,
            fontsize=max(16, height // 9),
            fontcolor="white",
            x="(w-tw)/2",
            y="(h-th)/2",
        )
        if subline:
            frame = _text(
                frame,
                subline,
                fontsize=max(12, height // 24),
                fontcolor="white",
                x="(w-tw)/2",
                y="h*0.70",
            )
        frame = frame.filter("setpts", "PTS-STARTPTS").filter("setsar", "1")
        sound = quiet.stream(index).filter("atrim", duration=f"{seconds:.3f}")
        return frame.filter("format", "yuv420p"), sound.filter("asetpts", "PTS-STARTPTS")

    audio = audio.filter("aformat", sample_rates=48000, channel_layouts="stereo")
    pieces: list[Any] = []
    if brand.intro_s > 0:
        pieces += card(0, brand.intro_s, "")
    pieces += [video, audio]
    if brand.outro_s > 0:
        pieces += card(count - 1, brand.outro_s, brand.outro_text)
    joined = ffmpeg.concat(*pieces, v=1, a=1).node
    return joined[0], joined[1]


def build_command(
    plan: TranscodePlan, *, src: str | Path, targets: Mapping[str, Path]
) -> list[str]:
    """The ffmpeg argument list writing master and/or preview; ``targets``: name → path.

    One decode feeds both: the master's encode and the preview's scale split from it, or, when
    the master is a copy, the master takes the compressed stream and the decode feeds only the
    preview. The poster is a separate short run (``build_poster_command``): as an output of
    this graph it would hold back ffmpeg's progress reports until its frame was chosen.
    Raises ``ValueError`` if ``targets`` does not cover the plan's master/preview outputs or
    the plan has neither.
    """
    wanted = [name for name in (MASTER, PREVIEW) if name in plan.outputs]
    missing = set(wanted) - set(targets)
    if missing:
        raise ValueError(f"no target path for {sorted(missing)}")
    if not wanted:
        raise ValueError("the plan has neither master nor preview")

    source = ffmpeg.input(str(src))
    video_in = source[str(plan.video_stream_index)]
    mw, mh = plan.master_size
    pw, ph = plan.preview_size
    branches: dict[str, Any] = {}
    if plan.copy_video and PREVIEW in plan.outputs:
        # The preview shows what YouTube gets: the source's colours, not converted (the
        # encoder takes the source's colour tags from the frames). Saves a third of the CPU.
        branches[PREVIEW] = (
            video_in.filter("fps", fps=str(plan.fps))
            .filter("scale", w=pw, h=ph)
            .filter("setsar", "1")
            .filter("format", "yuv420p")
        )
    elif MASTER not in plan.outputs:
        if PREVIEW in plan.outputs:
            branches[PREVIEW] = (
                video_in.filter("fps", fps=str(plan.fps))
                .filter("scale", w=pw, h=ph, out_color_matrix="bt709", out_range="tv")
                .filter("setsar", "1")
                .filter("format", "yuv420p")
            )
    else:
        video = (
            video_in.filter("fps", fps=str(plan.fps))
            .filter("scale", w=mw, h=mh, out_color_matrix="bt709", out_range="tv")
            .filter("setsar", "1")
            .filter("format", "yuv420p")
        )
        if PREVIEW in plan.outputs:
            split = video.filter_multi_output("split", 2)
            branches[MASTER] = split.stream(0)
            preview = split.stream(1)
            if (pw, ph) != plan.master_size:
                preview = preview.filter("scale", w=pw, h=ph)
            branches[PREVIEW] = preview
        else:
            branches[MASTER] = video

    audio_branches: dict[str, Any] = {}
    if plan.audio_stream_index is not None and plan.audio_filters is not None:
        audio = source[str(plan.audio_stream_index)]
        for filter_name, options in plan.audio_filters:
            audio = audio.filter(filter_name, **dict(options))
    else:
        audio = ffmpeg.input(
            "anullsrc=r=48000:cl=stereo", f="lavfi", t=f"{plan.duration_s:.3f}"
        ).audio
    if len(wanted) == 2:
        audio_split = audio.filter_multi_output("asplit", 2)
        audio_branches = {name: audio_split.stream(i) for i, name in enumerate(wanted)}
    else:
        audio_branches = {wanted[0]: audio}

    color = {"color_primaries": "bt709", "color_trc": "bt709", "colorspace": "bt709"}
    master_audio_args = {
        "c:a": "aac",
        "profile:a": "aac_low",
        "b:a": f"{plan.audio_kbps}k",
        "ar": 48000,
        "ac": 2,
        "flags:a": "+bitexact",
        "movflags": "+faststart",
    }
    streams = []
    if MASTER in plan.outputs and plan.copy_video:
        streams.append(
            ffmpeg.output(
                video_in,
                audio_branches[MASTER],
                str(targets[MASTER]),
                format="mp4",
                **{
                    "c:v": "copy",
                    "tag:v": plan.copy_tag,
                    **master_audio_args,
                    **_privacy_options(),
                },
            )
        )
    elif MASTER in plan.outputs:
        kbps = plan.video_kbps
        master_video, master_audio = branches[MASTER], audio_branches[MASTER]
        if plan.branding is not None:
            master_video, master_audio = _brand(plan, plan.branding, master_video, master_audio)
        streams.append(
            ffmpeg.output(
                master_video,
                master_audio,
                str(targets[MASTER]),
                format="mp4",
                **{
                    "c:v": "libx264",
                    "profile:v": "high",
                    "preset:v": plan.preset,
                    "pix_fmt": "yuv420p",
                    # YouTube asks for variable bitrate without a cap at the target: the
                    # target is the average, peaks may reach twice that.
                    "b:v": f"{kbps}k",
                    "maxrate:v": f"{kbps * 2}k",
                    "bufsize:v": f"{kbps * 4}k",
                    "g:v": plan.gop,
                    "bf:v": 2,
                    "flags:v": "+cgop+bitexact",
                    "fps_mode:v": "cfr",
                    **master_audio_args,
                    **color,
                    **_privacy_options(),
                },
            )
        )
    if PREVIEW in plan.outputs:
        streams.append(
            ffmpeg.output(
                branches[PREVIEW],
                audio_branches[PREVIEW],
                str(targets[PREVIEW]),
                format="mp4",
                **{
                    "c:v": "libx264",
                    "profile:v": "main",
                    "preset:v": plan.preview_preset,
                    "pix_fmt": "yuv420p",
                    "b:v": f"{PREVIEW_VIDEO_KBPS}k",
                    "maxrate:v": f"{PREVIEW_VIDEO_KBPS * 5 // 4}k",
                    "bufsize:v": f"{PREVIEW_VIDEO_KBPS * 2}k",
                    "g:v": plan.gop * 4,
                    "flags:v": "+bitexact",
                    "fps_mode:v": "cfr",
                    "c:a": "aac",
                    "b:a": f"{PREVIEW_AUDIO_KBPS}k",
                    "ar": 48000,
                    "ac": 2,
                    "flags:a": "+bitexact",
                    "movflags": "+faststart",
                    **({} if plan.copy_video else color),
                    **_privacy_options(),
                },
            )
        )
    graph = ffmpeg.merge_outputs(*streams).global_args(*_GLOBAL_ARGS)
    return [str(arg) for arg in ffmpeg.compile(graph, cmd=FFMPEG, overwrite_output=True)]


_GLOBAL_ARGS = (
    "-nostdin", "-hide_banner", "-loglevel", "warning", "-progress", "pipe:1", "-nostats",
    "-stats_period", "0.25",
)  # fmt: skip


def build_poster_command(plan: TranscodePlan, *, src: str | Path, target: Path) -> list[str]:
    """A short run that picks the poster from a few seconds after the start.

    Seeks to ``poster_start_s`` and decodes only the poster window at 2 fps; ``thumbnail``
    picks the frame closest to the window's average histogram, so a black or blurred frame
    loses against the content around it.
    """
    window = plan.poster_frames / POSTER_SAMPLE_FPS + 0.5
    source = ffmpeg.input(str(src), ss=f"{plan.poster_start_s:.3f}", t=f"{window:.3f}")
    poster = (
        source[str(plan.video_stream_index)]
        .filter("fps", fps=POSTER_SAMPLE_FPS)
        .filter("scale", w=plan.poster_size[0], h=plan.poster_size[1])
        .filter("setsar", "1")
        .filter("thumbnail", n=plan.poster_frames)
    )
    out = ffmpeg.output(
        poster,
        str(target),
        format="image2",
        update=1,
        **{
            "frames:v": 1,
            "c:v": "mjpeg",
            "q:v": 3,
            "flags:v": "+bitexact",
            "map_metadata": -1,
            "map_chapters": -1,
            "fflags": "+bitexact",
        },
    ).global_args(*_GLOBAL_ARGS)
    return [str(arg) for arg in ffmpeg.compile(out, cmd=FFMPEG, overwrite_output=True)]


def make_poster_variants(poster: Path, workdir: Path) -> dict[str, Path]:
    """Responsive posters from the poster (cheap: a 1280-wide JPEG, not the video).

    ``<width>.jpg`` and ``<width>.webp`` for each width in ``POSTER_WIDTHS`` up to the
    poster's own width (at least one), and ``og.jpg``, the 1200×630 OpenGraph crop. Pillow
    writes only pixels: no EXIF or other metadata.
    """
    from PIL import Image, ImageOps

    variants: dict[str, Path] = {}
    with Image.open(poster) as opened:
        image = opened.convert("RGB")
    widths = [w for w in POSTER_WIDTHS if w <= image.width] or [image.width]
    for width in widths:
        height = max(2, round(image.height * width / image.width))
        scaled = (
            image
            if width == image.width
            else image.resize((width, height), Image.Resampling.LANCZOS)
        )
        for fmt, ext, options in (
            ("JPEG", "jpg", {"quality": 82, "optimize": True, "progressive": True}),
            ("WEBP", "webp", {"quality": 78, "method": 4}),
        ):
            path = workdir / f".poster-{width}.{ext}.part"
            scaled.save(path, format=fmt, **options)
            variants[f"{width}.{ext}"] = path
    og = ImageOps.fit(image, OG_SIZE, Image.Resampling.LANCZOS, centering=(0.5, 0.4))
    og_path = workdir / ".poster-og.jpg.part"
    og.save(og_path, format="JPEG", quality=82, optimize=True, progressive=True)
    variants["og.jpg"] = og_path
    return variants


# --------------------------------------------------------------------------- running


def measure_loudness(
    src: str | Path,
    *,
    audio_stream_index: int | None = None,
    timeout_s: float = 120,
    duration_s: float = 0.0,
    on_fraction: Callable[[float], None] | None = None,
    cancel_event: threading.Event | None = None,
    on_tick: Callable[[], None] | None = None,
) -> LoudnessMeasurement | None:
    """Measure integrated loudness with an audio-only ``loudnorm`` pass (no video decode).

    ``on_fraction`` (with ``duration_s``) hears how far the pass is, from ffmpeg's progress.
    Returns None when the file has no audio. Raises ``TranscodeFailed`` if ffmpeg fails or
    times out, or prints no measurement.
    """
    stream = f"0:{audio_stream_index}" if audio_stream_index is not None else "0:a:0?"
    cmd = [
        FFMPEG, "-nostdin", "-hide_banner", "-nostats", "-loglevel", "info",
        "-progress", "pipe:1", "-stats_period", "0.25",
        "-i", str(src), "-map", stream, "-vn", "-sn", "-dn",
        "-af", f"loudnorm=I={LOUDNESS_TARGET_I}:TP={LOUDNESS_TARGET_TP}"
        f":LRA={LOUDNESS_TARGET_LRA}:print_format=json",
        "-f", "null", "-",
    ]  # fmt: skip
    tracker = ProgressTracker(
        duration_s=duration_s or 1.0,
        callback=(lambda p: on_fraction(p.percent / 100)) if on_fraction else None,
        min_interval_s=0,
    )
    try:
        returncode, stderr_lines = _run_ffmpeg(
            cmd,
            tracker,
            timeout_s=timeout_s,
            cancel_event=cancel_event,
            keep_lines=400,
            on_tick=on_tick,
        )
    except TranscodeTimedOut as exc:
        raise TranscodeFailed(
            "Die Lautstärkemessung hat zu lange gedauert.", "Loudness measurement timed out."
        ) from exc
    stderr = "\n".join(stderr_lines)
    if returncode != 0:
        raise TranscodeFailed(
            "Die Lautstärke konnte nicht gemessen werden.",
            "Loudness measurement failed.",
            _tail(stderr_lines),
        )
    match = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", stderr)
    if match is None:
        return None  # no audio stream matched the optional map
    data = json.loads(match.group(0))

    def number(key: str) -> float:
        try:
            return float(data[key])
        except (KeyError, ValueError):
            return -math.inf

    return LoudnessMeasurement(
        input_i=number("input_i"),
        input_tp=number("input_tp"),
        input_lra=max(number("input_lra"), 0.0),
        input_thresh=number("input_thresh"),
        target_offset=number("target_offset") if math.isfinite(number("target_offset")) else 0,
    )


def _tail(lines: Iterable[str], count: int = STDERR_TAIL_LINES) -> str:
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


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _summary(path: Path) -> OutputSummary:
    probe = probe_media(path)
    return OutputSummary(
        width=probe.width,
        height=probe.height,
        duration_s=probe.duration_s,
        fps=probe.avg_fps,
        bit_rate=probe.bit_rate,
        size_bytes=path.stat().st_size,
    )


def _verify(
    plan: TranscodePlan,
    temps: Mapping[str, Path],
    *,
    source: ProbeResult | None = None,
    on_fraction: Callable[[float], None] | None = None,
) -> dict[str, OutputSummary]:
    """Probe every output; raise ``TranscodeFailed`` when one is missing or looks wrong.

    A copied master is held to the same rules as an encoded one (size, duration) and more:
    exactly the source's video codec and an AAC track, no data stream, no private tag, the
    source's rotation. Its decodability from start to end is proven by the preview, decoded
    from the same stream in the same run: the preview must hold nearly every frame.
    """
    from workers.media.strip import extra_streams, private_tags

    summaries: dict[str, OutputSummary] = {}
    expected_sizes = {
        MASTER: plan.master_size,
        PREVIEW: plan.preview_size,
        POSTER: plan.poster_size,
    }
    for done, name in enumerate(sorted(plan.outputs)):
        if on_fraction is not None:
            on_fraction(done / len(plan.outputs))
        path = temps[name]
        problem = ""
        if not path.is_file() or path.stat().st_size == 0:
            problem = "missing or empty"
        else:
            try:
                summary = _summary(path)
            except MediaRejected as exc:
                problem = f"unreadable: {exc.technical}"
            else:
                summaries[name] = summary
                if (summary.width, summary.height) != expected_sizes[name]:
                    problem = f"size {summary.width}x{summary.height}"
                elif name != POSTER:
                    expected = plan.duration_s
                    if name == MASTER and plan.branding is not None:
                        expected += plan.branding.extra_s
                    tolerance = max(1.0, expected * 0.05)
                    if plan.copy_video and name == MASTER:
                        tolerance = max(0.25, expected * 0.01)
                    if abs(summary.duration_s - expected) > tolerance:
                        problem = f"duration {summary.duration_s:.2f}s vs {expected:.2f}s"
                if not problem and name == MASTER and plan.copy_video:
                    problem = _copy_problem(path, source, private_tags, extra_streams)
                if not problem and name == PREVIEW and plan.copy_video:
                    frames = probe_media(path).nb_frames or 0
                    wanted = plan.duration_s * float(plan.fps)
                    if frames < wanted * 0.95:
                        problem = f"{frames} frames decoded of {wanted:.0f}"
        if problem:
            raise TranscodeFailed(
                "Die umgewandelte Datei ist fehlerhaft.",
                f"Output {name} did not verify: {problem}.",
            )
    return summaries


def _copy_problem(
    path: Path,
    source: ProbeResult | None,
    private_tags: Callable[[dict[str, object]], list[str]],
    extra_streams: Callable[[dict[str, object]], list[str]],
) -> str:
    from workers.media.probe import run_ffprobe

    info = run_ffprobe(path, show_chapters=True)
    streams = [s for s in info.get("streams") or [] if isinstance(s, dict)]  # type: ignore[attr-defined]
    kinds = sorted((str(s.get("codec_type")), str(s.get("codec_name"))) for s in streams)
    codec = source.video_codec if source else next((k[1] for k in kinds if k[0] == "video"), "")
    if kinds != [("audio", "aac"), ("video", codec)]:
        return f"streams {kinds}"
    leaked = private_tags(info) + extra_streams(info)
    if leaked:
        return f"carries {leaked}"
    if source is not None and probe_media(path).rotation != source.rotation:
        return "rotation lost"
    return ""


def _run_ffmpeg(
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
                    "Die Umwandlung wurde abgebrochen.",
                    "Transcode cancelled.",
                    _tail(stderr_lines),
                )
            if deadline is not None and time.monotonic() > deadline:
                _kill_group(proc)
                raise TranscodeTimedOut(
                    "Die Umwandlung hat zu lange gedauert.",
                    f"Transcode exceeded {timeout_s:.0f}s.",
                    _tail(stderr_lines),
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


# Shares of a job's time, measured on two cores (bench/transcode.py): a copy job spends
# most of its time on the preview, a transcode on the master's encode.
PHASE_WEIGHTS_COPY = {"check": 4, "loudness": 12, "encode": 74, "poster": 6, "verify": 4}
PHASE_WEIGHTS_TRANSCODE = {"check": 2, "loudness": 4, "encode": 88, "poster": 3, "verify": 3}


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
            returncode, stderr = _run_ffmpeg(
                cmd,
                job.tracker(plan.expected_duration_s),
                timeout_s=remaining(),
                cancel_event=cancel_event,
                on_tick=job.tick,
            )
            if returncode != 0:
                raise TranscodeFailed(
                    "Das Video konnte nicht umgewandelt werden.",
                    f"ffmpeg exited with status {returncode}.",
                    _tail(stderr),
                )
        if POSTER in plan.outputs:
            poster_cmd = build_poster_command(plan, src=src, target=temps[POSTER])
            cmd = cmd or poster_cmd
            job.start("poster")
            window = plan.poster_frames / POSTER_SAMPLE_FPS + 0.5
            returncode, stderr = _run_ffmpeg(
                poster_cmd,
                job.tracker(window),
                timeout_s=remaining(),
                cancel_event=cancel_event,
                on_tick=job.tick,
            )
            if returncode != 0:
                raise TranscodeFailed(
                    "Das Vorschaubild konnte nicht erstellt werden.",
                    f"ffmpeg (poster) exited with status {returncode}.",
                    _tail(stderr),
                )
        job.start("verify")
        summaries = _verify(plan, temps, source=source, on_fraction=job.update)
        if POSTER in plan.outputs:
            variants = make_poster_variants(temps[POSTER], workdir)
        for name, temp in temps.items():
            os.replace(temp, targets[name])
        final_variants = {}
        for name, temp in variants.items():
            final = workdir / f"poster-{name}"
            os.replace(temp, final)
            final_variants[name] = final
    except BaseException:
        _remove([*temps.values(), *variants.values()])
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
    """Probe, validate, decode-check, check disk space, measure loudness, plan and run.

    ``on_progress`` hears one percentage across all phases (decode check, loudness pass,
    master and preview, poster, verification), at most every ``progress_interval_s``.
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
    job.start("check")
    check_decodable(src, duration_s=probe.duration_s, on_fraction=job.update)
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
    result = run_transcode(
        src,
        workdir,
        plan,
        timeout_s=timeout_s,
        cancel_event=cancel_event,
        job=job,
        source=probe,
    )
    job.finish()
    return result
