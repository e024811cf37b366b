"""QR codes: a real QR code (never Micro QR), error correction M, a quiet zone of 4 modules.

Rasters get an integer number of pixels per module so every module stays crisp; PDFs get
the code as vector rectangles taken from the QR matrix (one rectangle per run of dark
modules in a row), so it stays sharp at any print size.
"""

from __future__ import annotations

from functools import lru_cache

import segno
from PIL import Image

QUIET_ZONE = 4
# Below this many pixels per module a code on screen stops scanning reliably.
MIN_MODULE_PX = 2


@lru_cache(maxsize=64)
def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of the code without the quiet zone, True for dark."""
    code = segno.make(url, error="m", micro=False, boost_error=False)
    return tuple(tuple(bool(v) for v in row) for row in code.matrix)


def qr_total_modules(url: str) -> int:
    """Modules across the whole symbol including the quiet zone on both sides."""
    return len(qr_matrix(url)) + 2 * QUIET_ZONE


def qr_runs(url: str) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules: (row, first column, length)."""
    runs: list[tuple[int, int, int]] = []
    for row, modules in enumerate(qr_matrix(url)):
        col = 0
        while col < len(modules):
            if modules[col]:
                start = col
                while col < len(modules) and modules[col]:
                    col += 1
                runs.append((row, start, col - start))
            else:
                col += 1
    return runs


def qr_image(url: str, module_px: int) -> Image.Image:
    """The code as a black-on-white greyscale image with the quiet zone included."""
    matrix = qr_matrix(url)
    size = len(matrix) + 2 * QUIET_ZONE
    small = Image.new("L", (size, size), 255)
    pixels = small.load()
    assert pixels is not None
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                pixels[x + QUIET_ZONE, y + QUIET_ZONE] = 0
    return small.resize((size * module_px, size * module_px), Image.Resampling.NEAREST)


def qr_module_px(url: str, side_px: float) -> int:
    """Whole pixels per module that fit ``side_px``; 0 when the code does not fit at all."""
    return int(side_px // qr_total_modules(url))
