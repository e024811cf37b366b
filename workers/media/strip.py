"""Strip location and device tags from an upload by a lossless remux, and prove it.

A phone writes the recording place (``location``, ``com.apple.quicktime.location.ISO6709``),
its make and model, capture times and timed-metadata tracks into the container. None of that is
needed to make a video, so the first step of every media job replaces the stored original with
a remux that keeps only the video and audio streams, bit for bit (``-c copy``): no global,
stream or chapter metadata, no data, subtitle or attachment streams, no cover art. The rotation
is not a tag but the track's display matrix; ffmpeg copies it as side data, so a re-transcode
still turns the picture upright.

Written with plain ffmpeg arguments rather than a library: the job is one ffmpeg command plus an
ffprobe check, and the check is the point (an allow-list of harmless tags, deny by default).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from workers.media.errors import MediaRejected, RejectionCode
from workers.media.probe import FFMPEG, probe_media, run_ffprobe

# Tags that say nothing about a person, place or device. Everything else counts as private.
HARMLESS_TAGS = frozenset(
    {
        "major_brand",
        "minor_version",
        "compatible_brands",
        "handler_name",
        "vendor_id",
        "language",
        "duration",  # Matroska writes the stream length as a tag
    }
)
# The muxer's own name without a version (``-fflags +bitexact``).
HARMLESS_VALUES = {"encoder": frozenset({"Lavf", "Lavc", ""})}
KEPT_STREAM_TYPES = frozenset({"video", "audio"})
MOV_FAMILY = ("mov", "mp4", "m4a", "3gp", "3g2", "mj2")


@dataclass(frozen=True, slots=True)
class StripResult:
    """What the remux kept: ``removed`` lists what the original had and the copy has not."""

    path: Path
    container: str
    removed_tags: tuple[str, ...]
    removed_streams: tuple[str, ...]
    rotation: int


def private_tags(info: dict[str, object]) -> list[str]:
    """``scope:key`` of every tag in ffprobe's JSON that is not on the harmless list."""
    found: list[str] = []

    def check(scope: str, tags: object) -> None:
        if not isinstance(tags, dict):
            return
        for key, value in tags.items():
            name = str(key).lower()
            if name in HARMLESS_TAGS:
                continue
            if name in HARMLESS_VALUES and str(value) in HARMLESS_VALUES[name]:
                continue
            found.append(f"{scope}:{name}")

    fmt = info.get("format")
    check("format", fmt.get("tags") if isinstance(fmt, dict) else None)
    for stream in _streams(info):
        check(f"stream{stream.get('index')}", stream.get("tags"))
    for chapter in info.get("chapters") or []:  # type: ignore[attr-defined]
        if isinstance(chapter, dict):
            found.append(f"chapter{chapter.get('id')}")
            check("chapter", chapter.get("tags"))
    return found


def extra_streams(info: dict[str, object]) -> list[str]:
    """Streams a video job does not need: data, subtitles, attachments, cover art."""
    extra = []
    for stream in _streams(info):
        disposition = stream.get("disposition")
        cover = isinstance(disposition, dict) and bool(disposition.get("attached_pic"))
        if stream.get("codec_type") not in KEPT_STREAM_TYPES or cover:
            extra.append(f"{stream.get('index')}:{stream.get('codec_type')}")
    return extra


def is_clean(path: str | Path) -> bool:
    """True when ``path`` carries no private tag, chapter or extra stream."""
    info = _ffprobe(path)
    return not private_tags(info) and not extra_streams(info)


def strip_metadata(src: str | Path, dest: str | Path, *, timeout_s: float = 300) -> StripResult:
    """Write a lossless remux of ``src`` without metadata to ``dest`` and verify it.

    MOV/MP4 sources stay QuickTime (which keeps the display matrix); everything else (WebM,
    Matroska, AVI) becomes Matroska, which holds any codec. Raises ``MediaRejected``
    (``UNDECODABLE``) when ffprobe cannot read ``src``, ffmpeg cannot remux it or the copy does
    not verify (stream list, duration, rotation, no private tag); ``dest`` is then removed.
    """
    src, dest = Path(src), Path(dest)
    before = _ffprobe(src)
    source = probe_media(src)
    family = any(name in source.format_name.split(",") for name in MOV_FAMILY)
    container = "mov" if family else "matroska"
    cmd = [
        FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-i", str(src),
        "-map", "0:V?", "-map", "0:a?", "-c", "copy",
        "-map_metadata", "-1", "-map_chapters", "-1",
        "-metadata:s:v", "handler_name=VideoHandler",
        "-metadata:s:a", "handler_name=SoundHandler",
        "-fflags", "+bitexact", "-flags", "+bitexact",
        "-f", container, str(dest),
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        dest.unlink(missing_ok=True)
        raise MediaRejected(RejectionCode.UNDECODABLE, technical="remux timed out") from exc
    if proc.returncode != 0:
        dest.unlink(missing_ok=True)
        tail = "\n".join(proc.stderr.decode("utf-8", "replace").strip().splitlines()[-5:])
        raise MediaRejected(RejectionCode.UNDECODABLE, technical=f"remux failed: {tail}")
    try:
        after = _ffprobe(dest)
        problem = _compare(before, after, source_duration=source.duration_s)
        rotation = probe_media(dest).rotation
        if not problem and rotation != source.rotation:
            problem = f"rotation {rotation} vs {source.rotation}"
    except MediaRejected:
        dest.unlink(missing_ok=True)
        raise
    if problem:
        dest.unlink(missing_ok=True)
        raise MediaRejected(RejectionCode.UNDECODABLE, technical=f"remux did not verify: {problem}")
    return StripResult(
        path=dest,
        container=container,
        removed_tags=tuple(private_tags(before)),
        removed_streams=tuple(extra_streams(before)),
        rotation=rotation,
    )


def _compare(before: dict[str, object], after: dict[str, object], *, source_duration: float) -> str:
    wanted = _signature(s for s in _streams(before) if _kept(s))
    got = _signature(_streams(after))
    if wanted != got:
        return f"streams {got} vs {wanted}"
    leaked = private_tags(after) + extra_streams(after)
    if leaked:
        return f"still carries {leaked}"
    fmt = after.get("format")
    duration = float(fmt.get("duration") or 0) if isinstance(fmt, dict) else 0.0
    if source_duration and abs(duration - source_duration) > max(0.5, source_duration * 0.02):
        return f"duration {duration:.2f}s vs {source_duration:.2f}s"
    return ""


def _kept(stream: dict[str, object]) -> bool:
    disposition = stream.get("disposition")
    cover = isinstance(disposition, dict) and bool(disposition.get("attached_pic"))
    return stream.get("codec_type") in KEPT_STREAM_TYPES and not cover


def _signature(streams: Iterable[dict[str, object]]) -> list[tuple[str, str]]:
    return sorted((str(s.get("codec_type")), str(s.get("codec_name"))) for s in streams)


def _streams(info: dict[str, object]) -> list[dict[str, object]]:
    return [s for s in info.get("streams") or [] if isinstance(s, dict)]  # type: ignore[attr-defined]


def _ffprobe(path: str | Path) -> dict[str, object]:
    return run_ffprobe(path, show_chapters=True)
