"""Fonts, right-to-left shaping and fitting text into a zone.

Pillow shapes Arabic and Farsi itself (libraqm) when told the direction and language;
reportlab does not shape at all, so PDF text goes through arabic-reshaper (contextual forms
and ligatures) and python-bidi (visual order) first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

import arabic_reshaper
from bidi import get_display
from PIL import ImageFont

FONT_DIR = "/usr/share/fonts/truetype/noto"
FONTS = {
    ("latin", False): f"{FONT_DIR}/NotoSans-Regular.ttf",
    ("latin", True): f"{FONT_DIR}/NotoSans-Bold.ttf",
    ("arabic", False): f"{FONT_DIR}/NotoSansArabic-Regular.ttf",
    ("arabic", True): f"{FONT_DIR}/NotoSansArabic-Bold.ttf",
}
RTL_LANGUAGES = frozenset({"ar", "fa"})
# Line height and baseline position as fractions of the font size, per script.
LINE_HEIGHT = {"latin": 1.22, "arabic": 1.5}
BASELINE = {"latin": 0.93, "arabic": 1.05}

Measure = Callable[[str, float], float]


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES


def script_of(language: str) -> str:
    return "arabic" if is_rtl(language) else "latin"


def font_path(language: str, *, bold: bool) -> str:
    return FONTS[(script_of(language), bold)]


@lru_cache(maxsize=512)
def pil_font(path: str, size: int, basic: bool = False) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.BASIC if basic else ImageFont.Layout.RAQM
    return ImageFont.truetype(path, size=max(1, size), layout_engine=engine)


def pil_direction(language: str) -> str | None:
    return "rtl" if is_rtl(language) else None


def _drop_format_controls(text: str) -> str:
    """Remove zero-width controls (ZWNJ, ZWJ, direction marks: category Cf).

    They steer shaping and order, which is done by then; reportlab has no shaper and would
    draw the font's glyph for them (a visible bar for the Persian non-joiner).
    """
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def pdf_visual(text: str, language: str) -> str:
    """The string reportlab must draw: shaped and in visual order for Arabic script, and
    without zero-width controls in any language."""
    if not is_rtl(language):
        return _drop_format_controls(text)
    return _drop_format_controls(str(get_display(arabic_reshaper.reshape(text))))


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str] | None:
    """Greedy word wrap in logical order; None when a single word is wider than ``width``."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= width:
            current = candidate
            continue
        if not current or measure(word) > width:
            return None
        lines.append(current)
        current = word
    if current:
        lines.append(current)
    return lines


def fit(
    text: str,
    *,
    width: float,
    height: float,
    measure: Measure,
    line_height: float,
    max_lines: int,
    max_size: float,
    min_size: float = 4.0,
) -> tuple[float, list[str]]:
    """The largest font size (and its lines) at which ``text`` fits the box.

    Falls back to ``min_size`` with whatever wrapping results, so something is always drawn.
    """

    def attempt(size: float) -> list[str] | None:
        lines = wrap(text, width, lambda s: measure(s, size))
        if lines is None or len(lines) > max_lines or len(lines) * size * line_height > height:
            return None
        return lines

    low, high = min_size, max(min_size, min(max_size, height / line_height))
    best = attempt(low)
    if best is None:
        return low, [text]
    best_size = low
    for _ in range(14):
        if high - low < 0.25:
            break
        middle = (low + high) / 2
        lines = attempt(middle)
        if lines is None:
            high = middle
        else:
            low, best, best_size = middle, lines, middle
    return best_size, best
