"""Probing and rejecting uploads that cannot become a video."""

from __future__ import annotations

import os

import pytest

from kernel.media_errors import max_duration_minutes
from workers.media import (
    REJECTION_MESSAGES,
    MediaRejected,
    RejectionCode,
    check_decodable,
    probe_media,
    rejection_message,
    samples,
    validate_probe,
)
from workers.media.errors import LANGUAGES


def _rejection(path, **limits) -> RejectionCode:
    with pytest.raises(MediaRejected) as excinfo:
        result = probe_media(path)
        validate_probe(result, **limits)
        check_decodable(path, duration_s=result.duration_s)
    assert excinfo.value.message_de
    return excinfo.value.code


def test_probe_reads_rotation_fps_audio_and_container(source_clip):
    result = probe_media(source_clip("rotated"))
    assert (result.width, result.height) == (240, 320)
    assert result.rotation in (90, 270) and result.is_portrait
    assert result.avg_fps == result.r_fps == 30 and not result.is_vfr
    assert result.video_codec == "h264" and result.bit_depth == 8
    assert result.has_audio and result.audio_codec == "aac" and result.audio_channels == 2
    assert "mp4" in result.format_name
    assert result.duration_s == pytest.approx(2, abs=0.1)


@pytest.mark.parametrize(
    ("case", "codec", "pix_fmt"),
    [("hevc", "hevc", "yuv420p"), ("webm_vp9_opus", "vp9", "yuv420p"), ("ten_bit", "h264", None)],
)
def test_probe_other_codecs(source_clip, case, codec, pix_fmt):
    result = probe_media(source_clip(case))
    validate_probe(result)
    assert result.video_codec == codec
    if pix_fmt:
        assert result.pix_fmt == pix_fmt
    else:
        assert result.bit_depth == 10


def test_quiet_mono_source_is_probed_as_such(source_clip):
    result = probe_media(source_clip("quiet_mono_44k"))
    assert (result.audio_sample_rate, result.audio_channels) == (44100, 1)


def test_png_renamed_to_mp4_is_a_still_image(media_dir):
    path = samples.make_still_image(media_dir / "photo.mp4", codec="png")
    assert _rejection(path) == RejectionCode.STILL_IMAGE


def test_jpeg_renamed_to_mp4_is_a_still_image(media_dir):
    path = samples.make_still_image(media_dir / "photo-jpeg.mp4", codec="mjpeg")
    assert _rejection(path) == RejectionCode.STILL_IMAGE


def test_audio_only_is_rejected(media_dir):
    path = samples.make_audio_only(media_dir / "voice.m4a")
    assert _rejection(path) == RejectionCode.AUDIO_ONLY


def test_truncated_mp4_without_moov_is_undecodable(source_clip, media_dir):
    path = samples.truncate(source_clip("plain"), media_dir / "cut.mp4", fraction=0.5)
    assert _rejection(path) == RejectionCode.UNDECODABLE


def test_truncated_faststart_mp4_fails_the_decode_check(media_dir):
    full = samples.make_clip(media_dir / "faststart.mp4", duration_s=4, faststart=True)
    path = samples.truncate(full, media_dir / "cut-faststart.mp4", fraction=0.6)
    result = probe_media(path)  # moov is at the front, so the headers still look complete
    validate_probe(result)
    with pytest.raises(MediaRejected) as excinfo:
        check_decodable(path, duration_s=result.duration_s)
    assert excinfo.value.code == RejectionCode.UNDECODABLE
    assert excinfo.value.technical


def test_random_bytes_are_undecodable(tmp_path):
    path = tmp_path / "noise.mp4"
    path.write_bytes(os.urandom(64 * 1024))
    assert _rejection(path) == RejectionCode.UNDECODABLE


def test_empty_file_is_undecodable(tmp_path):
    path = tmp_path / "empty.mov"
    path.write_bytes(b"")
    assert _rejection(path) == RejectionCode.UNDECODABLE


def test_over_length_limit(source_clip):
    assert _rejection(source_clip("plain"), max_duration_s=1.5) == RejectionCode.TOO_LONG


def test_odd_dimensions_are_probed_exactly(source_clip):
    result = probe_media(source_clip("odd_dimensions"))
    assert (result.width, result.height) == (641, 361)
    assert result.pix_fmt == "yuv444p"


def test_resolution_limit(source_clip):
    code = _rejection(source_clip("odd_dimensions"), max_side=640)
    assert code == RejectionCode.RESOLUTION_TOO_HIGH
    code = _rejection(source_clip("odd_dimensions"), max_pixels=640 * 360)
    assert code == RejectionCode.RESOLUTION_TOO_HIGH


def test_valid_clip_passes_decode_check(source_clip):
    result = probe_media(source_clip("vfr60"))
    validate_probe(result)
    check_decodable(source_clip("vfr60"), duration_s=result.duration_s)


def test_every_code_has_a_message_in_every_language():
    for code in RejectionCode:
        german = rejection_message(code, "de")
        expected = str(REJECTION_MESSAGES[code])
        if code == RejectionCode.TOO_LONG:  # the limit is filled in from the setting
            expected %= {"minutes": max_duration_minutes()}
        assert german == expected, code
        for language in LANGUAGES:
            message = rejection_message(code, language)
            assert message, (code, language)
            assert (message == german) == (language == "de"), (code, language)


def test_rejection_message_falls_back_to_german():
    assert rejection_message(RejectionCode.TOO_LONG, "en").startswith("The video is too long")
    assert rejection_message("too_long", "uk").startswith("Відео задовге")
    german = rejection_message(RejectionCode.TOO_LONG, "de")
    assert german.startswith("Das Video ist zu lang")
    assert rejection_message(RejectionCode.TOO_LONG, "pl") == german
    assert rejection_message(RejectionCode.TOO_LONG, None) == german
    assert rejection_message(RejectionCode.TOO_LONG, "en-GB").startswith("The video")
    error = MediaRejected(RejectionCode.AUDIO_ONLY, technical="aac")
    assert error.message("tr") == "Dosyada yalnızca ses var. Lütfen bir video yükleyin."
    assert error.message_de == "Die Datei enthält nur Ton. Bitte laden Sie ein Video hoch."
