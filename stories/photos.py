"""Sanitising photo uploads: upright, downscaled, re-encoded JPEG without any metadata.

The image is re-encoded from pixels, so nothing from the original file survives: no EXIF (GPS,
camera make/model, capture time), no XMP, no comments, no embedded thumbnails. Colour profiles
other than sRGB are converted to sRGB before being dropped, so colours stay right.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from kernel.media_errors import PhotoRejected, RejectionCode

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85


@dataclass(frozen=True, slots=True)
class PhotoResult:
    path: Path
    width: int
    height: int
    original_format: str
    original_width: int
    original_height: int
    size_bytes: int


def _to_srgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        description = ImageCms.getProfileDescription(source) or ""
        if "srgb" in description.lower():
            return image
        mode = "RGB" if image.mode not in ("L",) else "L"
        image = image.convert(mode) if image.mode != mode else image
        converted = ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
        return converted if converted is not None else image
    except (ImageCms.PyCMSError, OSError, ValueError):
        # A broken profile is dropped; the pixels are then read as sRGB.
        return image


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def sanitize_photo(
    src: str | Path | IO[bytes],
    dest_path: str | Path,
    *,
    max_side: int = 2560,
    max_pixels: int = 40_000_000,
    quality: int = JPEG_QUALITY,
) -> PhotoResult:
    """Write an upright, metadata-free JPEG of ``src`` no larger than ``max_side`` to ``dest``.

    ``src`` is a path or a seekable binary file object. Only JPEG, PNG and WebP are accepted.
    Raises ``PhotoRejected`` with ``NOT_AN_IMAGE`` (not an image, truncated, other format) or
    ``IMAGE_TOO_LARGE`` (more than ``max_pixels``, including decompression bombs: the size is
    read from the header before any pixel is decoded). Never decodes a bomb into memory.
    """
    dest = Path(dest_path)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; make it an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(src, formats=ALLOWED_FORMATS) as opened:
                original_format = opened.format or ""
                width, height = opened.size
                if width * height > max_pixels or width <= 0 or height <= 0:
                    raise PhotoRejected(
                        RejectionCode.IMAGE_TOO_LARGE,
                        technical=f"{width}x{height} exceeds {max_pixels} pixels",
                    )
                opened.load()
                image = ImageOps.exif_transpose(opened) or opened
                image = _flatten(_to_srgb(image))
                image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(RejectionCode.IMAGE_TOO_LARGE, technical=str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        # Pillow signals truncated or corrupt data with OSError/SyntaxError/ValueError.
        raise PhotoRejected(RejectionCode.NOT_AN_IMAGE, technical=str(exc)) from exc

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part")
    try:
        # A fresh image has an empty ``info``; nothing but pixels is written.
        clean = Image.new(image.mode, image.size)
        clean.paste(image)
        clean.save(tmp, format="JPEG", quality=quality, optimize=True, progressive=True)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return PhotoResult(
        path=dest,
        width=clean.width,
        height=clean.height,
        original_format=original_format,
        original_width=width,
        original_height=height,
        size_bytes=dest.stat().st_size,
    )
