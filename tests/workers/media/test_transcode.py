"""One-pass transcode of synthetic phone-like clips, checked with ffprobe like YouTube would."""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image

from tests.workers.media.conftest import (
    SUCCESS_CASES,
    TEST_PRESET,
    all_tags,
    ffprobe,
    integrated_loudness,
    top_level_boxes,
)
from workers.media import (
    POSTER,
    Progress,
    TranscodeCancelled,
    TranscodeTimedOut,
    plan_transcode,
    probe_media,
    run_transcode,
)
from workers.media.transcode import (
    STANDARD_FPS,
    build_command,
    build_poster_command,
    process_video,
)

PRIVATE_KEYS = ("location", "iso6709", "make", "model", "creation_time", "date")
PRIVATE_VALUES = ("52.3759", "Apple", "iPhone")


def _video(info: dict) -> dict:
    return next(s for s in info["streams"] if s["codec_type"] == "video")


def _audio(info: dict) -> dict:
    return next(s for s in info["streams"] if s["codec_type"] == "audio")


@pytest.mark.parametrize("case", SUCCESS_CASES)
def test_master_is_youtube_ready(case, transcoded, source_clip):
    result = transcoded(case)
    master = result.paths["master"]
    info = ffprobe(master)
    video, audio = _video(info), _audio(info)

    if result.master_mode == "copy":  # the source's stream as it is (test_copy_path.py)
        assert video["codec_name"] == probe_media(source_clip(case)).video_codec
    else:
        assert video["codec_name"] == "h264"
        assert video["profile"] == "High"
        assert not video.get("side_data_list")
    assert video["pix_fmt"] == "yuv420p"
    assert video.get("field_order", "progressive") == "progressive"
    assert video["r_frame_rate"] == video["avg_frame_rate"]
    assert Fraction(video["r_frame_rate"]) in STANDARD_FPS
    assert video["width"] % 2 == 0 and video["height"] % 2 == 0
    assert max(video["width"], video["height"]) <= 1920
    assert min(video["width"], video["height"]) <= 1080
    assert "rotate" not in (video.get("tags") or {})

    assert audio["codec_name"] == "aac"
    assert audio["profile"] == "LC"
    assert audio["sample_rate"] == "48000"
    assert audio["channels"] == 2

    boxes = top_level_boxes(master)
    assert boxes.index("moov") < boxes.index("mdat"), boxes

    source = probe_media(source_clip(case))
    assert abs(float(info["format"]["duration"]) - source.duration_s) < 0.5
    assert probe_media(master).is_portrait == source.is_portrait


def test_rotated_phone_clip_comes_out_upright_portrait(transcoded, source_clip):
    source = probe_media(source_clip("rotated"))
    assert source.rotation in (90, 270)
    assert (source.coded_width, source.coded_height) == (320, 240)
    # The copied master keeps the display matrix, which YouTube honours; what is watched
    # here is upright in its pixels.
    master = probe_media(transcoded("rotated").paths["master"])
    assert (master.width, master.height, master.rotation) == (240, 320, source.rotation)
    for name in ("preview", "poster"):
        video = _video(ffprobe(transcoded("rotated").paths[name]))
        assert (video["width"], video["height"]) == (240, 320), name
        assert not video.get("side_data_list"), name


def test_vfr_source_becomes_cfr_60(transcoded, source_clip):
    assert probe_media(source_clip("vfr60")).is_vfr
    video = _video(ffprobe(transcoded("vfr60").paths["master"]))
    assert video["r_frame_rate"] == video["avg_frame_rate"] == "60/1"
    assert int(video["nb_frames"]) == pytest.approx(180, abs=2)


def test_odd_dimensions_become_even(transcoded):
    video = _video(ffprobe(transcoded("odd_dimensions").paths["master"]))
    assert (video["width"], video["height"]) == (640, 360)


def test_ten_bit_source_becomes_eight_bit(transcoded, source_clip):
    assert probe_media(source_clip("ten_bit")).bit_depth == 10
    video = _video(ffprobe(transcoded("ten_bit").paths["master"]))
    assert video["pix_fmt"] == "yuv420p"
    assert video["profile"] == "High"


@pytest.mark.parametrize("case", SUCCESS_CASES)
def test_no_private_metadata_survives(case, transcoded):
    for name, path in transcoded(case).paths.items():
        info = ffprobe(path)
        tags = all_tags(info)
        leaked = [key for key in tags if any(private in key for private in PRIVATE_KEYS)]
        assert not leaked, f"{name}: {leaked}"
        values = " ".join(str(v) for v in tags.values())
        assert not any(value in values for value in PRIVATE_VALUES), f"{name}: {tags}"
        raw = path.read_bytes()
        assert b"52.3759" not in raw and b"iPhone" not in raw, name


@pytest.mark.parametrize("case", ["plain", "quiet_mono_44k", "rotated", "webm_vp9_opus"])
def test_loudness_is_normalised(case, transcoded):
    result = transcoded(case)
    assert integrated_loudness(result.paths["master"]) == pytest.approx(-14, abs=1)
    assert integrated_loudness(result.paths["preview"]) == pytest.approx(-14, abs=1)


def test_source_without_audio_gets_a_silent_track(transcoded):
    master = transcoded("no_audio").paths["master"]
    info = ffprobe(master)
    audio = _audio(info)
    assert float(audio["duration"]) == pytest.approx(float(info["format"]["duration"]), abs=0.2)
    assert integrated_loudness(master) <= -70  # ebur128 reports silence as -70


@pytest.mark.parametrize("case", ["plain", "rotated", "odd_dimensions"])
def test_preview_and_poster(case, transcoded):
    result = transcoded(case)
    preview = ffprobe(result.paths["preview"])
    video = _video(preview)
    assert video["codec_name"] == "h264"
    assert video["profile"] in ("Main", "Constrained Baseline", "Baseline")
    assert min(video["width"], video["height"]) <= 480
    assert video["width"] % 2 == 0 and video["height"] % 2 == 0
    assert _audio(preview)["codec_name"] == "aac"
    boxes = top_level_boxes(result.paths["preview"])
    assert boxes.index("moov") < boxes.index("mdat")

    with Image.open(result.paths["poster"]) as poster:
        assert poster.format == "JPEG"
        assert poster.width <= 1280
        assert not poster.getexif()
        assert max(poster.convert("L").getextrema()) > 40  # not a black frame


def test_summary_and_speed(transcoded):
    result = transcoded("plain")
    assert set(result.paths) == {"master", "preview", "poster"}
    assert result.summaries["master"].width == 320
    assert result.summaries["master"].fps == pytest.approx(30)
    assert result.speed_x > 0
    assert result.wall_time_s > 0
    assert not list(result.paths["master"].parent.glob(".*.part"))


def test_single_ffmpeg_invocation_decodes_once(source_clip):
    probe = probe_media(source_clip("plain"))
    plan = plan_transcode(probe, preset=TEST_PRESET, allow_copy=False)
    targets = {name: Path(f"/tmp/{name}") for name in plan.outputs}
    cmd = build_command(plan, src="in.mp4", targets=targets)
    assert cmd.count("-i") == 1
    graph = cmd[cmd.index("-filter_complex") + 1]
    assert "split=2" in graph and "asplit=2" in graph and "thumbnail" not in graph
    assert cmd[cmd.index("-g:v") + 1] == "15"
    assert "+cgop+bitexact" in cmd
    assert cmd.count("-map_metadata") == 2
    # VBR without a cap at the target (YouTube's guidance).
    assert cmd[cmd.index("-maxrate:v") + 1] == f"{plan.video_kbps * 2}k"

    copy = plan_transcode(probe, preset=TEST_PRESET)
    cmd = build_command(copy, src="in.mp4", targets=targets)
    assert cmd.count("-i") == 1 and cmd[cmd.index("-c:v") + 1] == "copy"
    assert cmd.count("libx264") == 1  # only the preview is encoded
    poster = build_poster_command(copy, src="in.mp4", target=Path("/tmp/p.jpg"))
    assert "thumbnail" in poster[poster.index("-filter_complex") + 1]


def test_poster_only_rerun_produces_only_the_poster(source_clip, tmp_path):
    src = source_clip("plain")
    plan = plan_transcode(probe_media(src), outputs={POSTER}, preset=TEST_PRESET)
    assert plan.input_duration_limit_s is not None
    result = run_transcode(src, tmp_path, plan)
    assert set(result.paths) == {POSTER}
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["poster.jpg", *(f"poster-{v}" for v in result.poster_variants)])


def test_progress_reports_increase_and_end_at_100(source_clip, tmp_path):
    src = source_clip("plain")
    plan = plan_transcode(probe_media(src), preset="medium")
    reports: list[Progress] = []
    run_transcode(src, tmp_path, plan, on_progress=reports.append, progress_interval_s=0.05)
    percents = [report.percent for report in reports]
    assert len(percents) >= 2
    assert percents == sorted(percents)
    assert percents[-1] == 100.0 and reports[-1].done
    assert all(not report.done for report in reports[:-1])


@pytest.fixture(scope="module")
def slow_clip(media_dir):
    from workers.media import samples

    return samples.make_clip(media_dir / "slow.mp4", width=1280, height=720, duration_s=6)


def _leftovers(workdir: Path) -> list[str]:
    return sorted(p.name for p in workdir.iterdir())


def test_cancel_kills_ffmpeg_and_removes_temp_files(slow_clip, tmp_path):
    plan = plan_transcode(probe_media(slow_clip), preset="medium")
    cancel = threading.Event()
    with pytest.raises(TranscodeCancelled):
        run_transcode(
            slow_clip,
            tmp_path,
            plan,
            cancel_event=cancel,
            on_progress=lambda _: cancel.set(),
            progress_interval_s=0,
        )
    assert _leftovers(tmp_path) == []


def test_timeout_kills_ffmpeg_and_removes_temp_files(slow_clip, tmp_path):
    plan = plan_transcode(probe_media(slow_clip), preset="medium")
    with pytest.raises(TranscodeTimedOut) as excinfo:
        run_transcode(slow_clip, tmp_path, plan, timeout_s=0.5)
    assert excinfo.value.message("de") and excinfo.value.message("en")
    assert excinfo.value.message("de") != excinfo.value.message("en")
    assert _leftovers(tmp_path) == []


def test_exception_from_callback_cleans_up_like_a_soft_time_limit(slow_clip, tmp_path):
    class SoftTimeLimit(Exception):
        """Stands in for Celery's SoftTimeLimitExceeded, raised into the running task."""

    def explode(_: Progress) -> None:
        raise SoftTimeLimit

    plan = plan_transcode(probe_media(slow_clip), preset="medium")
    with pytest.raises(SoftTimeLimit):
        run_transcode(slow_clip, tmp_path, plan, on_progress=explode, progress_interval_s=0)
    assert _leftovers(tmp_path) == []


def test_process_video_rejects_before_transcoding(source_clip, tmp_path):
    from workers.media import MediaRejected, RejectionCode

    with pytest.raises(MediaRejected) as excinfo:
        process_video(source_clip("plain"), tmp_path, max_duration_s=1, preset=TEST_PRESET)
    assert excinfo.value.code == RejectionCode.TOO_LONG
    assert _leftovers(tmp_path) == []
