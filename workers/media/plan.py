"""The plan: dimensions, frame rate, bitrates and the master's path, from the probe alone.

``plan_transcode`` is pure (no I/O). ``copy_refusal`` says why a source's video cannot be
copied as it is (empty when it can).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from workers.media.loudness import AudioFilter, LoudnessMeasurement, audio_filter_chain
from workers.media.probe import ProbeResult

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
