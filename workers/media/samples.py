"""Synthetic test media generated with ffmpeg's lavfi sources.

Used by the tests, the benchmark and the demo data loader, so that no binary fixtures are
committed. Every function writes ``dest`` and returns it; all raise
``subprocess.CalledProcessError`` (with ffmpeg's stderr) if ffmpeg fails.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from workers.media.probe import FFMPEG

# Tags a phone typically writes, GPS included; outputs must carry none of them.
PHONE_METADATA: dict[str, str] = {
    "location": "+52.3759+009.7320/",
    "location-eng": "+52.3759+009.7320/",
    "com.apple.quicktime.location.ISO6709": "+52.3759+009.7320+055.000/",
    "com.apple.quicktime.make": "Apple",
    "com.apple.quicktime.model": "iPhone 15",
    "make": "Apple",
    "model": "iPhone 15",
    "creation_time": "2024-05-01T10:00:00.000000Z",
    "encoder": "iPhone 15 17.4",
}


def _run(args: Sequence[str]) -> None:
    subprocess.run(
        [FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        capture_output=True,
        timeout=300,
    )


def make_clip(
    dest: str | Path,
    *,
    width: int = 320,
    height: int = 240,
    duration_s: float = 2.0,
    fps: str = "30",
    video_codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    audio: str | None = "sine",
    audio_rate: int = 48000,
    audio_channels: int = 2,
    audio_codec: str = "aac",
    audio_volume_db: float | None = None,
    preset: str = "ultrafast",
    metadata: Mapping[str, str] | None = None,
    faststart: bool = False,
    extra_args: Sequence[str] = (),
) -> Path:
    """A ``testsrc2`` clip with an optional ``sine`` (or ``"silence"``) track.

    ``audio=None`` writes no audio stream. The container follows ``dest``'s suffix; for
    MP4/MOV the metadata is written with ``use_metadata_tags`` so arbitrary keys survive.
    """
    dest = Path(dest)
    # testsrc2 rounds odd sizes down to even ones; scale afterwards for a truly odd frame
    # (H.264 needs yuv444p for that, 4:2:0 requires even dimensions).
    even_w, even_h = width + width % 2, height + height % 2
    video_source = f"testsrc2=s={even_w}x{even_h}:r={fps}:d={duration_s}"
    if (even_w, even_h) != (width, height):
        video_source += f",scale={width}:{height}"
    args = ["-f", "lavfi", "-i", video_source]
    if audio is not None:
        layout = "mono" if audio_channels == 1 else "stereo"
        if audio == "silence":
            source = f"anullsrc=r={audio_rate}:cl={layout},atrim=duration={duration_s}"
        else:
            # sine's default amplitude is 1/8; doubled it measures about -18 LUFS in stereo,
            # a normal level for speech recorded on a phone.
            source = f"sine=f=1000:r={audio_rate}:d={duration_s},volume=2"
            if audio_channels == 2:
                source += ",pan=stereo|c0=c0|c1=c0"
        if audio_volume_db is not None:
            source += f",volume={audio_volume_db}dB"
        args += ["-f", "lavfi", "-i", source]
    codec_args = ["-c:v", video_codec, "-pix_fmt", pix_fmt]
    if video_codec in ("libx264", "libx265"):
        codec_args += ["-preset", preset]
    if video_codec == "libx265":
        codec_args += ["-tag:v", "hvc1", "-x265-params", "log-level=error"]
    if video_codec == "libvpx-vp9":
        codec_args += ["-deadline", "realtime", "-cpu-used", "8", "-b:v", "500k"]
    args += codec_args
    if audio is not None:
        args += ["-c:a", audio_codec, "-ar", str(audio_rate), "-ac", str(audio_channels)]
    args += list(extra_args)
    if dest.suffix.lower() in (".mp4", ".mov", ".m4v"):
        args += ["-movflags", "+use_metadata_tags" + ("+faststart" if faststart else "")]
    for key, value in (metadata or {}).items():
        args += ["-metadata", f"{key}={value}"]
    args += ["-shortest", str(dest)]
    _run(args)
    return dest


def set_rotation(src: str | Path, dest: str | Path, *, degrees: int = 90) -> Path:
    """Remux (no re-encode) with a rotation flag, like a phone held upright.

    ffmpeg 5.1 has no ``-display_rotation``; the ``rotate`` stream tag on MP4 output writes
    the track's display matrix. All global metadata is kept.
    """
    _run(
        [
            "-i", str(src), "-map", "0", "-c", "copy", "-map_metadata", "0",
            "-movflags", "+use_metadata_tags", "-metadata:s:v:0", f"rotate={degrees}",
            str(dest),
        ]
    )  # fmt: skip
    return Path(dest)


def make_vfr_clip(dest: str | Path, *, width: int = 320, height: int = 240) -> Path:
    """A variable-frame-rate MP4: 1 s at 60 fps, 1 s at 30 fps, 1 s at 60 fps, with audio."""
    graph = (
        f"testsrc2=s={width}x{height}:r=60:d=1[a];"
        f"testsrc2=s={width}x{height}:r=30:d=1[b];"
        f"testsrc2=s={width}x{height}:r=60:d=1[c];"
        "[a][b][c]concat=n=3:v=1:a=0[v]"
    )
    _run(
        [
            "-f", "lavfi", "-i", "sine=f=800:r=48000:d=3,volume=2",
            "-filter_complex", graph, "-map", "[v]", "-map", "0:a",
            "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast",
            "-video_track_timescale", "90000", "-c:a", "aac", str(dest),
        ]
    )  # fmt: skip
    return Path(dest)


def make_audio_only(dest: str | Path, *, duration_s: float = 2.0) -> Path:
    _run(["-f", "lavfi", "-i", f"sine=f=440:d={duration_s}", "-c:a", "aac", str(dest)])
    return Path(dest)


def make_still_image(dest: str | Path, *, codec: str = "png") -> Path:
    """A single picture (``png`` or ``mjpeg``) written to ``dest`` whatever its suffix."""
    _run(
        [
            "-f", "lavfi", "-i", "testsrc2=s=320x240:d=1", "-frames:v", "1",
            "-c:v", codec, "-f", "image2", "-update", "1", str(dest),
        ]
    )  # fmt: skip
    return Path(dest)


def truncate(src: str | Path, dest: str | Path, *, fraction: float = 0.5) -> Path:
    """Copy the first ``fraction`` of ``src`` — an upload cut off in the middle."""
    data = Path(src).read_bytes()
    Path(dest).write_bytes(data[: int(len(data) * fraction)])
    return Path(dest)
