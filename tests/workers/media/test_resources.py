"""Disk space check, time limits and the pure planning rules."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from workers.media import (
    InsufficientDiskSpace,
    ensure_free_space,
    estimate_needed_bytes,
    plan_transcode,
    probe_media,
    time_limits_for,
)
from workers.media.transcode import choose_fps, fit_size, youtube_video_kbps


def test_time_limits_scale_with_duration():
    assert time_limits_for(0) == (120, 180)
    assert time_limits_for(60) == (480, 540)
    soft, hard = time_limits_for(300)
    assert soft == 1920 and hard == soft + 60


def test_estimate_grows_with_duration_and_source():
    short = estimate_needed_bytes(duration_s=10)
    long = estimate_needed_bytes(duration_s=300)
    assert long > short > 0
    assert estimate_needed_bytes(duration_s=10, source_bytes=1000) == short + 1000
    assert long > 300 * 12_000_000 / 8  # at least the master at the highest rate


def test_free_space_check(tmp_path):
    ensure_free_space(tmp_path / "not" / "yet", needed_bytes=1024)
    with pytest.raises(InsufficientDiskSpace) as excinfo:
        ensure_free_space(tmp_path, needed_bytes=2**62)
    error = excinfo.value
    assert error.needed_bytes == 2**62 and error.free_bytes < error.needed_bytes
    assert "Not enough free disk space" in str(error) and "GiB" in str(error)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((3840, 2160), (1920, 1080)),
        ((2160, 3840), (1080, 1920)),
        ((1920, 1080), (1920, 1080)),
        ((1440, 1920), (1080, 1440)),
        ((641, 361), (640, 360)),
        ((1080, 1080), (1080, 1080)),
        ((4000, 1000), (1920, 480)),
    ],
)
def test_fit_size(size, expected):
    assert fit_size(*size, box_long=1920, box_short=1080) == expected


def test_bitrates_follow_youtube_recommendations():
    assert youtube_video_kbps((1920, 1080), Fraction(30)) == 8000
    assert youtube_video_kbps((1080, 1920), Fraction(60)) == 12000
    assert youtube_video_kbps((1280, 720), Fraction(30)) == 5000
    assert youtube_video_kbps((1280, 720), Fraction(60000, 1001)) == 7500
    assert youtube_video_kbps((854, 480), Fraction(25)) == 2500
    assert youtube_video_kbps((640, 360), Fraction(30)) == 1000


@pytest.mark.parametrize(
    ("r_fps", "avg_fps", "expected"),
    [
        (30.0, 30.0, Fraction(30)),
        (30000 / 1001, 30000 / 1001, Fraction(30000, 1001)),
        (60.0, 50.28, Fraction(60)),  # phone VFR: nominal rate wins
        (120.0, 120.0, Fraction(60)),
        (240.0, 239.0, Fraction(60)),
        (90000.0, 30.1, Fraction(30)),  # timebase artefact
        (15.0, 15.0, Fraction(30)),
        (0.0, 0.0, Fraction(30)),
        (25.0, 25.0, Fraction(25)),
        (27.3, 26.9, Fraction(25)),
    ],
)
def test_choose_fps(source_clip, r_fps, avg_fps, expected):
    probe = dataclasses.replace(probe_media(source_clip("plain")), r_fps=r_fps, avg_fps=avg_fps)
    assert choose_fps(probe) == expected


def test_plan_rejects_unknown_outputs(source_clip):
    probe = probe_media(source_clip("plain"))
    with pytest.raises(ValueError):
        plan_transcode(probe, outputs={"thumbnail"})
    with pytest.raises(ValueError):
        plan_transcode(probe, outputs=set())


def test_branding_lengthens_only_the_master(source_clip):
    from workers.media import Branding

    probe = probe_media(source_clip("plain"))
    branded = plan_transcode(probe, branding=Branding(intro_s=2, outro_s=3))
    assert branded.expected_duration_s == pytest.approx(probe.duration_s + 5)
    assert plan_transcode(probe, outputs={"preview"}, branding=Branding()).branding is None


def test_plan_is_pure_and_reproducible(source_clip):
    probe = probe_media(source_clip("rotated"))
    assert plan_transcode(probe) == plan_transcode(probe)
    plan = plan_transcode(probe, preset="slow")
    assert plan.master_size == (240, 320)
    assert plan.preset == "slow"
    assert plan.gop == 15
