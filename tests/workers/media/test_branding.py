"""The campaign's branding on the YouTube master: cards, corner mark, credit, subtitles."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from workers.media import Branding, process_video
from workers.media.samples import make_clip

from .conftest import ffprobe

BRAND = (11, 79, 138)  # #0b4f8a


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(
        tmp_path_factory.mktemp("brand") / "in.mp4", width=640, height=360, duration_s=4
    )


def _frame(video: Path, at: float, out: Path) -> Image.Image:
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-ss",
            f"{at}",
            "-i",
            str(video),
            "-frames:v",
            "1",
            "-y",
            str(out),
        ],
        check=True,
        timeout=60,
    )
    return Image.open(out).convert("RGB")


def _close(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 14) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


def _duration(path: Path) -> float:
    return float(ffprobe(path)["format"]["duration"])


def test_master_gets_cards_mark_and_credit_preview_stays_plain(clip: Path, tmp_path: Path) -> None:
    brand = Branding(intro_s=2, outro_s=2, lower_third="Amina B.", outro_text="example.org")
    result = process_video(clip, tmp_path, preset="ultrafast", branding=brand)
    master, preview = result.paths["master"], result.paths["preview"]
    assert abs(_duration(master) - 8.0) < 0.3
    assert abs(_duration(preview) - 4.0) < 0.3

    intro = _frame(master, 1.0, tmp_path / "intro.png")
    assert _close(intro.getpixel((20, 20)), BRAND), "the intro card is in the campaign colour"
    claim_row = [intro.getpixel((x, 180)) for x in range(100, 540)]
    assert any(min(p) > 200 for p in claim_row), "the claim is written on the card"

    clip_frame = _frame(master, 3.5, tmp_path / "clip.png")
    plain = _frame(preview, 1.5, tmp_path / "plain.png")
    # The lower third sits bottom-left on a campaign-coloured plate; the preview has none.
    plate = [clip_frame.getpixel((x, 300)) for x in range(40, 120)]
    assert sum(_close(p, BRAND, 40) for p in plate) > 20
    assert not any(
        _close(plain.resize(clip_frame.size).getpixel((x, 300)), BRAND, 12)
        for x in range(40, 120, 8)
    )
    outro = _frame(master, 7.0, tmp_path / "outro.png")
    assert _close(outro.getpixel((20, 20)), BRAND)
    audio = next(s for s in ffprobe(master)["streams"] if s["codec_type"] == "audio")
    assert (audio["sample_rate"], audio["channels"]) == ("48000", 2)


def test_arabic_credit_and_burnt_in_subtitles(clip: Path, tmp_path: Path) -> None:
    vtt = tmp_path / "subs.vtt"
    vtt.write_text("WEBVTT\n\n00:00:00.200 --> 00:00:03.800\nIch heiße Amina und arbeite hier.\n")
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
    subs_only = Branding(intro_s=0, outro_s=0, corner_mark=False, subtitles_path=str(vtt))
    with_subs = process_video(clip, tmp_path / "a", preset="ultrafast", branding=subs_only)
    without = process_video(clip, tmp_path / "b", preset="ultrafast", outputs={"master"})
    assert abs(_duration(with_subs.paths["master"]) - 4.0) < 0.3
    a = _frame(with_subs.paths["master"], 2.0, tmp_path / "a.png")
    b = _frame(without.paths["master"], 2.0, tmp_path / "b.png")
    bottom = [(x, y) for x in range(150, 490, 4) for y in range(300, 350, 2)]
    changed = sum(1 for xy in bottom if not _close(a.getpixel(xy), b.getpixel(xy), 30))
    assert changed > 40, "subtitle text is drawn into the picture"

    arabic = process_video(
        clip,
        tmp_path / "c",
        preset="ultrafast",
        outputs={"master"},
        branding=Branding(intro_s=1, outro_s=1, lower_third="أمينة من سيله"),
    )
    assert abs(_duration(arabic.paths["master"]) - 6.0) < 0.3
