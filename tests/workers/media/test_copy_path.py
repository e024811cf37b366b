"""Copy what YouTube accepts as it is; encode only what is watched here; progress that moves.

Real ffmpeg on generated clips of each kind. Which path a clip takes is checked, and a copied
master is checked as strictly as YouTube would: no metadata, no data stream, ``moov`` first,
-14 LUFS, the source's duration and rotation; the preview is upright.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.workers.media.conftest import (
    TEST_PRESET,
    ffprobe,
    integrated_loudness,
    top_level_boxes,
)
from workers.media import Branding, Progress, plan_transcode, probe_media, samples
from workers.media.strip import extra_streams, private_tags
from workers.media.transcode import copy_refusal, process_video

COPY_CASES = ["plain", "rotated", "hevc", "quiet_mono_44k", "no_audio"]
TRANSCODE_CASES = ["webm_vp9_opus", "ten_bit", "odd_dimensions", "vfr60"]


@pytest.mark.parametrize("case", COPY_CASES)
def test_youtube_ready_sources_are_copied(case, transcoded, source_clip):
    assert transcoded(case).master_mode == "copy"
    assert copy_refusal(probe_media(source_clip(case))) == ""


@pytest.mark.parametrize("case", TRANSCODE_CASES)
def test_everything_else_is_transcoded(case, transcoded, source_clip):
    assert copy_refusal(probe_media(source_clip(case)))
    assert transcoded(case).master_mode == "transcode"


def test_branding_always_transcodes(source_clip):
    probe = probe_media(source_clip("plain"))
    assert copy_refusal(probe, branding=Branding()) == "branding"
    assert not plan_transcode(probe, branding=Branding()).copy_video
    assert plan_transcode(probe).copy_video


@pytest.mark.parametrize("case", COPY_CASES)
def test_copied_master_is_clean_complete_and_fast_starting(case, transcoded, source_clip):
    master = transcoded(case).paths["master"]
    info = ffprobe(master)
    assert private_tags(info) == [] and extra_streams(info) == []
    assert sorted(s["codec_type"] for s in info["streams"]) == ["audio", "video"]
    boxes = top_level_boxes(master)
    assert boxes.index("moov") < boxes.index("mdat"), boxes
    source = probe_media(source_clip(case))
    assert float(info["format"]["duration"]) == pytest.approx(source.duration_s, abs=0.1)
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (audio["codec_name"], audio["channels"], audio["sample_rate"]) == ("aac", 2, "48000")
    if source.video_codec == "hevc":
        video = next(s for s in info["streams"] if s["codec_type"] == "video")
        assert video["codec_tag_string"] == "hvc1"


@pytest.mark.parametrize("case", ["plain", "rotated", "hevc"])
def test_copied_master_and_preview_sound_the_same(case, transcoded):
    result = transcoded(case)
    master = integrated_loudness(result.paths["master"])
    assert master == pytest.approx(-14, abs=1)
    assert integrated_loudness(result.paths["preview"]) == pytest.approx(master, abs=1)


@pytest.fixture(scope="module")
def rotated_hevc(media_dir: Path) -> Path:
    clip = samples.make_clip(
        media_dir / "hevc-land.mp4", video_codec="libx265", metadata=samples.PHONE_METADATA
    )
    return samples.set_rotation(clip, media_dir / "hevc-rot.mp4", degrees=90)


def test_rotated_hevc_keeps_its_matrix_and_the_preview_is_upright(rotated_hevc, tmp_path):
    source = probe_media(rotated_hevc)
    result = process_video(rotated_hevc, tmp_path, preset=TEST_PRESET)
    assert result.master_mode == "copy"
    master = probe_media(result.paths["master"])
    assert (master.video_codec, master.rotation) == ("hevc", source.rotation)
    assert (master.width, master.height) == (source.width, source.height) == (240, 320)
    preview = ffprobe(result.paths["preview"])
    video = next(s for s in preview["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (240, 320)  # upright in its pixels
    assert not video.get("side_data_list")


def test_responsive_posters(transcoded):
    result = transcoded("odd_dimensions")  # 640 wide poster
    variants = result.poster_variants
    assert set(variants) == {"320.jpg", "320.webp", "640.jpg", "640.webp", "og.jpg"}
    for name, path in variants.items():
        with Image.open(path) as image:
            assert not image.getexif(), name
            if name == "og.jpg":
                assert image.size == (1200, 630)
            else:
                assert image.width == int(name.split(".")[0])
                assert image.format == ("WEBP" if name.endswith("webp") else "JPEG")


@pytest.fixture(scope="module")
def ten_second_clips(media_dir: Path) -> dict[str, Path]:
    return {
        "h264": samples.make_clip(media_dir / "ten.mp4", width=640, height=360, duration_s=10),
        "vp9": samples.make_clip(
            media_dir / "ten.webm",
            width=640,
            height=360,
            duration_s=10,
            video_codec="libvpx-vp9",
            audio_codec="libopus",
        ),
    }


@pytest.mark.parametrize("kind", ["h264", "vp9"])
def test_progress_moves_through_every_phase(kind, ten_second_clips, tmp_path):
    """Many distinct values, reported from the decode check on, rising to 100.

    Counted by distinct values and by band (checks and loudness, encode, end), not timed.
    """
    reports: list[Progress] = []
    process_video(
        ten_second_clips[kind],
        tmp_path,
        preset=TEST_PRESET,
        on_progress=reports.append,
        progress_interval_s=0,
    )
    percents = [r.percent for r in reports]
    assert percents == sorted(percents)
    assert percents[0] == 0 and percents[-1] == 100 and reports[-1].done
    distinct = set(percents)
    assert len(distinct) >= 8, percents
    # Values in each band: the checks and loudness (< 20 %), the encode, the end.
    assert any(0 < p < 20 for p in distinct), percents
    assert any(20 <= p < 80 for p in distinct), percents
    assert any(80 <= p < 100 for p in distinct), percents
    assert any(r.eta_seconds for r in reports[:-1])


@pytest.mark.parametrize("case", COPY_CASES)
def test_a_copy_is_one_ffmpeg_run_with_the_poster_from_the_previews_decode(
    case, transcoded, source_clip
):
    from workers.media.graph import build_command

    plan = plan_transcode(probe_media(source_clip(case)), preset=TEST_PRESET)
    targets = {name: Path(f"/tmp/{name}") for name in plan.outputs}
    cmd = build_command(plan, src="in.mp4", targets=targets)
    graph = cmd[cmd.index("-filter_complex") + 1]
    assert cmd.count("in.mp4") == 1 and "image2" in cmd  # one decode of the source
    assert "thumbnail" not in graph  # it would hold back ffmpeg's progress reports
    result = transcoded(case)
    folder = result.paths["poster"].parent
    assert not list(folder.glob("*cand*")) and not list(folder.glob(".*.part"))
    with Image.open(result.paths["poster"]) as poster:
        assert poster.size == plan.poster_size
        assert max(poster.convert("L").getextrema()) > 40  # not a black frame


def test_the_poster_pick_passes_over_a_black_frame(tmp_path):
    from workers.media.graph import pick_poster

    candidates = []
    for index, colour in enumerate([(0, 0, 0), (200, 120, 40), (200, 120, 40), (200, 120, 40)]):
        path = tmp_path / f"cand-{index:02d}.jpg"
        Image.new("RGB", (64, 36), colour).save(path)
        candidates.append(path)
    target = tmp_path / "poster.jpg"
    assert pick_poster(candidates, target)
    with Image.open(target) as poster:
        assert min(poster.convert("L").getextrema()) > 40
    assert sorted(p.name for p in tmp_path.iterdir()) == ["poster.jpg"]
    assert not pick_poster([], tmp_path / "none.jpg")


@pytest.mark.parametrize("allow_copy", [True, False])
def test_a_damaged_file_is_still_refused_as_one_without_a_decode_check_up_front(
    allow_copy, tmp_path
):
    from workers.media import MediaRejected, RejectionCode

    full = samples.make_clip(tmp_path / "faststart.mp4", duration_s=4, faststart=True)
    path = samples.truncate(full, tmp_path / "cut-faststart.mp4", fraction=0.6)
    workdir = tmp_path / "out"
    with pytest.raises(MediaRejected) as excinfo:
        process_video(path, workdir, preset=TEST_PRESET, allow_copy=allow_copy)
    assert excinfo.value.code == RejectionCode.UNDECODABLE
    assert not list(workdir.glob("*")) if workdir.exists() else True
