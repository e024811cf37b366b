"""Probing uploads with ffprobe and deciding whether they can become a video.

``probe_media`` only reads the container headers; ``validate_probe`` applies the product's
limits; ``check_decodable`` decodes the start and the end of the file because a file can probe
fine and still be broken in the middle of an upload.
"""

from __future__ import annotations

import json
import math
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from workers.media.errors import MediaRejected, RejectionCode

FFPROBE = "ffprobe"
FFMPEG = "ffmpeg"

# Demuxers that hold a single picture. ffprobe happily reports their content as a one-frame
# "video" stream, so a photo renamed to .mp4 would otherwise look like a valid clip.
IMAGE_FORMATS = frozenset(
    {
        "png_pipe",
        "jpeg_pipe",
        "webp_pipe",
        "gif",
        "bmp_pipe",
        "tiff_pipe",
        "image2",
        "heif",
        "svg_pipe",
        "jpegxl_pipe",
        "psd_pipe",
    }
)
IMAGE_CODECS = frozenset({"png", "bmp", "webp", "tiff", "gif", "jpegxl", "svg", "psd"})


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What ffprobe tells about an upload. ``width``/``height`` are display dimensions."""

    path: str
    format_name: str
    duration_s: float
    size_bytes: int
    has_video: bool
    width: int
    height: int
    coded_width: int
    coded_height: int
    rotation: int  # clockwise degrees the picture must be turned to be upright: 0/90/180/270
    sample_aspect: Fraction
    avg_fps: float
    r_fps: float
    is_vfr: bool
    video_codec: str
    video_profile: str
    pix_fmt: str
    bit_depth: int
    nb_frames: int | None
    video_stream_index: int | None
    has_audio: bool
    audio_codec: str
    audio_sample_rate: int
    audio_channels: int
    audio_stream_index: int | None
    is_still_image: bool
    bit_rate: int

    @property
    def is_portrait(self) -> bool:
        return self.height > self.width

    @property
    def pixels(self) -> int:
        return self.width * self.height


def _fraction(value: str | None) -> Fraction:
    if not value or value in ("0/0", "N/A"):
        return Fraction(0)
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        return Fraction(0)


def _float(value: object, default: float = 0.0) -> float:
    try:
        result = float(str(value))
    except (TypeError, ValueError):
        return default
    return result if math.isfinite(result) else default


def _int(value: object, default: int = 0) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def _rotation(stream: dict[str, object]) -> int:
    """Degrees clockwise to display upright, from the display matrix or the legacy tag."""
    degrees = 0.0
    for side_data in stream.get("side_data_list") or []:  # type: ignore[attr-defined]
        if isinstance(side_data, dict) and "rotation" in side_data:
            degrees = _float(side_data["rotation"])
            break
    else:
        tags = stream.get("tags") or {}
        if isinstance(tags, dict) and "rotate" in tags:
            # The legacy tag counts clockwise, the display matrix counter-clockwise.
            degrees = -_float(tags["rotate"])
    return round(-degrees / 90.0) * 90 % 360


def _bit_depth(stream: dict[str, object]) -> int:
    raw = _int(stream.get("bits_per_raw_sample"))
    if raw:
        return raw
    pix_fmt = str(stream.get("pix_fmt") or "")
    for depth in (16, 14, 12, 10, 9):
        if f"p{depth}" in pix_fmt:
            return depth
    return 8 if pix_fmt else 0


def run_ffprobe(
    path: str | Path, *, timeout_s: float = 30, show_chapters: bool = False
) -> dict[str, object]:
    """Return ffprobe's JSON (format + streams, and chapters if asked) for ``path``.

    Raises ``MediaRejected(UNDECODABLE)`` when ffprobe cannot read the file, times out or
    returns no usable JSON, and ``FileNotFoundError`` if ``path`` does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    cmd = [
        FFPROBE,
        "-v",
        "error",
        "-hide_banner",
        "-of",
        "json",
        "-show_format",
        "-show_streams",
        *(["-show_chapters"] if show_chapters else []),
        str(path),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise MediaRejected(
            RejectionCode.UNDECODABLE, technical=f"ffprobe timed out after {timeout_s}s"
        ) from exc
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        raise MediaRejected(RejectionCode.UNDECODABLE, technical=f"ffprobe failed: {stderr}")
    try:
        data = json.loads(proc.stdout.decode("utf-8", "replace") or "{}")
    except json.JSONDecodeError as exc:
        raise MediaRejected(RejectionCode.UNDECODABLE, technical=f"ffprobe JSON: {exc}") from exc
    if not isinstance(data, dict) or "format" not in data:
        raise MediaRejected(RejectionCode.UNDECODABLE, technical=f"ffprobe: no format. {stderr}")
    return data


def probe_media(path: str | Path, *, timeout_s: float = 30) -> ProbeResult:
    """Probe an upload and summarise what matters for transcoding.

    Raises ``MediaRejected(UNDECODABLE)`` if ffprobe cannot make sense of the file (truncated
    MP4 without moov, random bytes) and ``FileNotFoundError`` if it does not exist. It does not
    apply any limits; call ``validate_probe`` for that.
    """
    return summarise_probe(run_ffprobe(path, timeout_s=timeout_s), path=path)


def summarise_probe(data: dict[str, object], *, path: str | Path) -> ProbeResult:
    """``ProbeResult`` from ffprobe's JSON (``run_ffprobe``), so one probe can serve twice."""
    fmt = data.get("format") or {}
    assert isinstance(fmt, dict)
    streams = [s for s in data.get("streams") or [] if isinstance(s, dict)]  # type: ignore[attr-defined]

    def is_cover_art(stream: dict[str, object]) -> bool:
        disposition = stream.get("disposition") or {}
        return isinstance(disposition, dict) and bool(disposition.get("attached_pic"))

    videos = [s for s in streams if s.get("codec_type") == "video" and not is_cover_art(s)]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    video = videos[0] if videos else {}
    audio = audios[0] if audios else {}

    format_name = str(fmt.get("format_name") or "")
    duration = _float(fmt.get("duration"))
    if not duration and video:
        duration = _float(video.get("duration"))
    rotation = _rotation(video) if video else 0
    coded_w, coded_h = _int(video.get("width")), _int(video.get("height"))
    sar = _fraction(str(video.get("sample_aspect_ratio") or ""))
    display_w = round(coded_w * sar) if sar and sar != 1 else coded_w
    width, height = (coded_h, display_w) if rotation in (90, 270) else (display_w, coded_h)
    avg_fps = float(_fraction(str(video.get("avg_frame_rate") or "")))
    r_fps = float(_fraction(str(video.get("r_frame_rate") or "")))
    nb_frames_raw = video.get("nb_frames")
    nb_frames = _int(nb_frames_raw) if nb_frames_raw not in (None, "N/A") else None
    video_codec = str(video.get("codec_name") or "")
    is_still = bool(video) and (
        format_name in IMAGE_FORMATS
        or any(name in IMAGE_FORMATS for name in format_name.split(","))
        or video_codec in IMAGE_CODECS
        or nb_frames == 1
        or (video_codec == "mjpeg" and duration <= 0)
    )
    is_vfr = bool(avg_fps and r_fps and abs(avg_fps - r_fps) / r_fps > 0.01)

    return ProbeResult(
        path=str(path),
        format_name=format_name,
        duration_s=duration,
        size_bytes=_int(fmt.get("size")),
        has_video=bool(video),
        width=width,
        height=height,
        coded_width=coded_w,
        coded_height=coded_h,
        rotation=rotation,
        sample_aspect=sar or Fraction(1),
        avg_fps=avg_fps,
        r_fps=r_fps,
        is_vfr=is_vfr,
        video_codec=video_codec,
        video_profile=str(video.get("profile") or ""),
        pix_fmt=str(video.get("pix_fmt") or ""),
        bit_depth=_bit_depth(video) if video else 0,
        nb_frames=nb_frames,
        video_stream_index=_int(video["index"]) if video else None,
        has_audio=bool(audio),
        audio_codec=str(audio.get("codec_name") or ""),
        audio_sample_rate=_int(audio.get("sample_rate")),
        audio_channels=_int(audio.get("channels")),
        audio_stream_index=_int(audio["index"]) if audio else None,
        is_still_image=is_still,
        bit_rate=_int(fmt.get("bit_rate")),
    )


def validate_probe(
    result: ProbeResult,
    *,
    max_duration_s: float = 300,
    min_duration_s: float = 0.5,
    max_side: int = 4096,
    max_pixels: int = 4096 * 2304,
) -> None:
    """Apply the product's limits to a probe result.

    Raises ``MediaRejected`` with ``AUDIO_ONLY``, ``NO_VIDEO_STREAM``, ``STILL_IMAGE``,
    ``UNDECODABLE`` (no duration or dimensions), ``TOO_SHORT``, ``TOO_LONG`` or
    ``RESOLUTION_TOO_HIGH``. The default pixel limit admits 4K UHD from phones.
    """
    if not result.has_video:
        if result.has_audio:
            raise MediaRejected(
                RejectionCode.AUDIO_ONLY, technical=f"audio only ({result.audio_codec})"
            )
        raise MediaRejected(RejectionCode.NO_VIDEO_STREAM, technical=result.format_name)
    if result.is_still_image:
        raise MediaRejected(
            RejectionCode.STILL_IMAGE,
            technical=f"{result.format_name}/{result.video_codec}, frames={result.nb_frames}",
        )
    if result.width <= 0 or result.height <= 0 or result.duration_s <= 0:
        raise MediaRejected(
            RejectionCode.UNDECODABLE,
            technical=f"{result.width}x{result.height}, duration {result.duration_s}",
        )
    if result.duration_s < min_duration_s:
        raise MediaRejected(RejectionCode.TOO_SHORT, technical=f"{result.duration_s:.2f}s")
    if result.duration_s > max_duration_s:
        raise MediaRejected(
            RejectionCode.TOO_LONG,
            technical=f"{result.duration_s:.1f}s > {max_duration_s:.0f}s",
        )
    if max(result.width, result.height) > max_side or result.pixels > max_pixels:
        raise MediaRejected(
            RejectionCode.RESOLUTION_TOO_HIGH, technical=f"{result.width}x{result.height}"
        )


def check_decodable(
    path: str | Path,
    *,
    duration_s: float,
    head_s: float = 2.0,
    tail_s: float = 1.0,
    timeout_s: float = 60,
    on_fraction: Callable[[float], None] | None = None,
) -> None:
    """Decode the first ``head_s`` and the last ``tail_s`` seconds; any decode error rejects.

    Cheap (two short decodes) and catches files that probe fine but are cut or corrupt.
    Raises ``MediaRejected(UNDECODABLE)`` with ffmpeg's error as ``technical``.
    """
    windows = [["-t", f"{head_s:.3f}"]]
    if duration_s > head_s + tail_s:
        windows.append(["-ss", f"{max(duration_s - tail_s, 0):.3f}"])
    for done, window in enumerate(windows):
        if on_fraction is not None and done:
            on_fraction(done / len(windows))
        cmd = [FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-xerror"]
        cmd += [*window[:2]] if window[0] == "-ss" else []
        cmd += ["-i", str(path)]
        cmd += window if window[0] == "-t" else []
        cmd += ["-map", "0:v:0?", "-map", "0:a:0?", "-f", "null", "-"]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise MediaRejected(
                RejectionCode.UNDECODABLE, technical=f"decode check timed out ({timeout_s}s)"
            ) from exc
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        if proc.returncode != 0 or stderr:
            raise MediaRejected(
                RejectionCode.UNDECODABLE,
                technical="decode check failed: " + "\n".join(stderr.splitlines()[-5:]),
            )
