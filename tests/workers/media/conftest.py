"""Synthetic media generated once per session with real ffmpeg, and ffprobe-based checks."""

from __future__ import annotations

import json
import re
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from workers.media import samples
from workers.media.transcode import TranscodeResult, process_video

# The slowest preset that still yields High profile (ultrafast drops CABAC and 8x8dct).
TEST_PRESET = "veryfast"


def _rotated_phone_clip(d: Path) -> Path:
    landscape = samples.make_clip(
        d / "rot-src.mp4", width=320, height=240, metadata=samples.PHONE_METADATA
    )
    return samples.set_rotation(landscape, d / "rotated.mp4", degrees=90)


SOURCES: dict[str, Callable[[Path], Path]] = {
    "rotated": _rotated_phone_clip,
    "hevc": lambda d: samples.make_clip(
        d / "hevc.mp4", video_codec="libx265", metadata=samples.PHONE_METADATA
    ),
    "webm_vp9_opus": lambda d: samples.make_clip(
        d / "vp9.webm", video_codec="libvpx-vp9", audio_codec="libopus"
    ),
    "vfr60": lambda d: samples.make_vfr_clip(d / "vfr.mp4"),
    "no_audio": lambda d: samples.make_clip(
        d / "noaudio.mp4", audio=None, metadata=samples.PHONE_METADATA
    ),
    "quiet_mono_44k": lambda d: samples.make_clip(
        d / "quiet.mov",
        audio_rate=44100,
        audio_channels=1,
        audio_volume_db=-35,
        metadata=samples.PHONE_METADATA,
    ),
    "odd_dimensions": lambda d: samples.make_clip(
        d / "odd.mp4", width=641, height=361, pix_fmt="yuv444p"
    ),
    "ten_bit": lambda d: samples.make_clip(
        d / "10bit.mp4", pix_fmt="yuv420p10le", metadata=samples.PHONE_METADATA
    ),
    "plain": lambda d: samples.make_clip(
        d / "plain.mp4", duration_s=3.0, metadata=samples.PHONE_METADATA
    ),
}
SUCCESS_CASES = sorted(SOURCES)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media-samples")


@pytest.fixture(scope="session")
def source_clip(media_dir: Path) -> Callable[[str], Path]:
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            cache[name] = SOURCES[name](media_dir)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def transcoded(
    source_clip: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], TranscodeResult]:
    cache: dict[str, TranscodeResult] = {}

    def get(name: str) -> TranscodeResult:
        if name not in cache:
            workdir = tmp_path_factory.mktemp(f"out-{name}")
            cache[name] = process_video(source_clip(name), workdir, preset=TEST_PRESET)
        return cache[name]

    return get


def ffprobe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-of", "json", "-show_format", "-show_streams", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    ).stdout
    return json.loads(out)


def all_tags(info: dict) -> dict[str, str]:
    """Format and stream tags in one dict, keys lower-cased."""
    tags = {k.lower(): v for k, v in (info["format"].get("tags") or {}).items()}
    for stream in info["streams"]:
        tags.update({k.lower(): v for k, v in (stream.get("tags") or {}).items()})
    return tags


def top_level_boxes(path: Path) -> list[str]:
    """Names of the top-level ISO BMFF boxes, in file order."""
    names = []
    with path.open("rb") as fh:
        while header := fh.read(8):
            if len(header) < 8:
                break
            size, name = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", fh.read(8))[0]
                fh.seek(size - 16, 1)
            elif size == 0:
                names.append(name.decode("latin-1"))
                break
            else:
                fh.seek(size - 8, 1)
            names.append(name.decode("latin-1"))
    return names


def integrated_loudness(path: Path) -> float:
    """Integrated loudness (LUFS) measured by ffmpeg's ebur128 filter."""
    stderr = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-map", "0:a:0",
         "-af", "ebur128", "-f", "null", "-"],
        check=True, capture_output=True, timeout=60,
    ).stderr.decode()  # fmt: skip
    summary = stderr[stderr.rindex("Summary:") :]
    return float(re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary).group(1))
