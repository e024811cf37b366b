"""Photo uploads: upright, small, JPEG, and nothing but pixels."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from kernel.media_errors import PhotoRejected, RejectionCode
from stories.photos import sanitize_photo

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def _phone_jpeg(path: Path, *, orientation: int = 6) -> Path:
    """A 400x200 JPEG whose left half is red, with GPS, make/model and an orientation flag."""
    image = Image.new("RGB", (400, 200), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 200, 200))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 15"  # Model
    exif[GPS_IFD] = {1: "N", 2: (52.0, 22.0, 33.0), 3: "E", 4: (9.0, 43.0, 55.0)}
    image.save(path, format="JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return path


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG claiming huge dimensions whose pixel data is tiny (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_exif_orientation_applied_and_all_metadata_dropped(tmp_path):
    src = _phone_jpeg(tmp_path / "phone.jpg")
    result = sanitize_photo(src, tmp_path / "clean.jpg")
    assert (result.width, result.height) == (200, 400)  # orientation 6: turned upright
    assert (result.original_width, result.original_height) == (400, 200)
    assert result.original_format == "JPEG"
    with Image.open(result.path) as clean:
        assert clean.format == "JPEG"
        assert not clean.getexif()
        assert "exif" not in clean.info and "icc_profile" not in clean.info
        assert "comment" not in clean.info
        top = clean.getpixel((100, 50))
        bottom = clean.getpixel((100, 350))
    # Orientation 6 means "turn 90° clockwise to view": the left (red) half ends up on top.
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    raw = result.path.read_bytes()
    assert b"iPhone" not in raw and b"Apple" not in raw and b"secret" not in raw


def test_file_object_png_with_alpha_becomes_flat_jpeg(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(buffer, format="PNG")
    buffer.seek(0)
    result = sanitize_photo(buffer, tmp_path / "flat.jpg")
    with Image.open(result.path) as clean:
        assert clean.mode == "RGB"
        assert clean.getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=2)


def test_downscaled_to_max_side(tmp_path):
    src = tmp_path / "wide.webp"
    Image.new("RGB", (3000, 1000), (10, 120, 10)).save(src, format="WEBP")
    result = sanitize_photo(src, tmp_path / "small.jpg")
    assert (result.width, result.height) == (2560, 853)
    assert sanitize_photo(src, tmp_path / "tiny.jpg", max_side=300).width == 300


def test_non_srgb_profile_is_converted_and_dropped(tmp_path):
    src = tmp_path / "lab.jpg"
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    Image.new("RGB", (20, 20), (200, 100, 50)).save(src, format="JPEG", icc_profile=profile)
    result = sanitize_photo(src, tmp_path / "srgb.jpg")
    with Image.open(result.path) as clean:
        assert "icc_profile" not in clean.info


def test_decompression_bomb_is_rejected_without_decoding(tmp_path):
    src = tmp_path / "bomb.png"
    src.write_bytes(_png_header_only(100_000, 100_000))
    with pytest.raises(PhotoRejected) as excinfo:
        sanitize_photo(src, tmp_path / "never.jpg")
    assert excinfo.value.code == RejectionCode.IMAGE_TOO_LARGE
    assert "too large" in excinfo.value.message("en")
    assert not (tmp_path / "never.jpg").exists()


def test_pixel_limit_is_configurable(tmp_path):
    src = _phone_jpeg(tmp_path / "phone.jpg")
    with pytest.raises(PhotoRejected) as excinfo:
        sanitize_photo(src, tmp_path / "x.jpg", max_pixels=10_000)
    assert excinfo.value.code == RejectionCode.IMAGE_TOO_LARGE


@pytest.mark.parametrize(
    "payload",
    [os.urandom(4096), b"%PDF-1.7 not a picture", b"GIF89a" + os.urandom(100)],
    ids=["random", "pdf", "gif"],
)
def test_not_an_image(tmp_path, payload):
    src = tmp_path / "upload.jpg"
    src.write_bytes(payload)
    with pytest.raises(PhotoRejected) as excinfo:
        sanitize_photo(src, tmp_path / "x.jpg")
    assert excinfo.value.code == RejectionCode.NOT_AN_IMAGE


def test_truncated_jpeg_is_rejected(tmp_path):
    src = _phone_jpeg(tmp_path / "phone.jpg")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(src.read_bytes()[:600])
    with pytest.raises(PhotoRejected) as excinfo:
        sanitize_photo(cut, tmp_path / "x.jpg")
    assert excinfo.value.code == RejectionCode.NOT_AN_IMAGE
