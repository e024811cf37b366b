"""One layout engine for every asset; raster.py and pdf.py only provide the drawing surface.

Coordinates are in the surface's unit (pixels for rasters, points for PDFs), measured from
the top left of the trimmed format. Zones come from the kit templates as fractions; for
right-to-left languages they are mirrored and text is aligned to the right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from PIL import Image

from . import qr, text
from .spec import Box, Layout, Palette

CLAIM_FIRST, CLAIM_SECOND = "ZUSAMMEN.", "MEHR."
CLAIM_LINE_HEIGHT = 1.0
CLAIM_CAP_HEIGHT = 0.714  # Noto Sans capital height per em
# Wider than this, a logo shrinks to a line in most zones; the partner is told.
WIDE_LOGO_RATIO = 8.0


class Surface(Protocol):
    width: float
    height: float
    # The smallest font size any text may have, in the surface's units.
    min_text: float

    def fill_background(self, colour: str) -> None: ...
    def circle(self, cx: float, cy: float, r: float, colour: str) -> None: ...
    def rounded_rect(
        self, x: float, y: float, w: float, h: float, radius: float, colour: str
    ) -> None: ...
    def measure(self, value: str, *, bold: bool, language: str, size: float) -> float: ...
    def text(
        self,
        value: str,
        *,
        x: float,
        baseline: float,
        bold: bool,
        language: str,
        size: float,
        colour: str,
    ) -> None: ...
    def logo(self, image: Image.Image, x: float, y: float, w: float, h: float) -> None: ...
    def qr_side(self, url: str, available: float) -> float | None: ...
    def qr(self, url: str, x: float, y: float, side: float) -> None: ...
    def colour_rgb(self, colour: str) -> tuple[int, int, int]: ...
    def plate_always(self) -> bool: ...


@dataclass
class Content:
    """What one rendering says: language, colours, the partner's logo and the QR target."""

    language: str
    palette: Palette
    texts: dict[str, Any]
    qr_url: str
    display_url: str
    logo: Image.Image | None = None
    alliance_name: str = "Niedersachsen packt an"
    # The organisation; without a logo its name stands where the logo would.
    partner_name: str = ""


@dataclass
class Report:
    warnings: list[str] = field(default_factory=list)
    qr_side: float | None = None
    logo_box: tuple[float, float, float, float] | None = None
    plate: str | None = None
    # The smallest font size drawn: px at 1x on screen formats, pt in print.
    smallest_text: float | None = None
    cta_lines: int = 0
    # Print only: the logo's resolution as placed, and the width it needs when too low.
    logo_ppi: float | None = None
    logo_needs_px: int | None = None


def _zone(box: Box, surface: Surface, rtl: bool) -> tuple[float, float, float, float]:
    x, y, w, h = box
    if rtl:
        x = 1 - x - w
    return x * surface.width, y * surface.height, w * surface.width, h * surface.height


def _draw_lines(
    surface: Surface,
    lines: list[str],
    *,
    zone: tuple[float, float, float, float],
    size: float,
    bold: bool,
    language: str,
    colour: str,
    rtl: bool,
    valign: str = "top",
    centre: bool = False,
) -> None:
    x, y, w, h = zone
    script = text.script_of(language)
    line_h = size * text.LINE_HEIGHT[script]
    block = line_h * len(lines)
    top = y + (h - block) / 2 if valign == "middle" else y
    for index, line in enumerate(lines):
        width = surface.measure(line, bold=bold, language=language, size=size)
        left = x + (w - width) / 2 if centre else (x + w - width if rtl else x)
        baseline = top + index * line_h + size * text.BASELINE[script]
        surface.text(
            line,
            x=left,
            baseline=baseline,
            bold=bold,
            language=language,
            size=size,
            colour=colour,
        )


def _claim(
    surface: Surface, layout: Layout, zone: tuple[float, float, float, float], rtl: bool
) -> float:
    """Draw the claim as large as the zone allows; returns its font size."""
    x, y, w, h = zone

    def width(value: str, size: float) -> float:
        return surface.measure(value, bold=True, language="de", size=size)

    if layout.claim_lines == 1:
        full = f"{CLAIM_FIRST} {CLAIM_SECOND}"
        size = min(w / width(full, 1.0), h / 1.0)
        cap = size * CLAIM_CAP_HEIGHT
        baseline = y + (h + cap) / 2
        left = x + w - width(full, size) if rtl else x
        surface.text(
            CLAIM_FIRST,
            x=left,
            baseline=baseline,
            bold=True,
            language="de",
            size=size,
            colour="claim",
        )
        offset = width(f"{CLAIM_FIRST} ", size)
        surface.text(
            CLAIM_SECOND,
            x=left + offset,
            baseline=baseline,
            bold=True,
            language="de",
            size=size,
            colour="accent",
        )
        return size
    # Two lines: cap height plus a gap of 0.28 em between them must fit the zone height.
    size = min(w / width(CLAIM_FIRST, 1.0), h / (2 * CLAIM_CAP_HEIGHT + 0.28))
    cap = size * CLAIM_CAP_HEIGHT
    block = 2 * cap + 0.28 * size
    top = y + (h - block) / 2
    for index, (value, colour) in enumerate(((CLAIM_FIRST, "claim"), (CLAIM_SECOND, "accent"))):
        left = x + w - width(value, size) if rtl else x
        baseline = top + cap + index * (cap + 0.28 * size)
        surface.text(
            value, x=left, baseline=baseline, bold=True, language="de", size=size, colour=colour
        )
    return size


def _fit(
    surface: Surface,
    value: str,
    *,
    zone: tuple[float, float, float, float],
    bold: bool,
    language: str,
    max_size: float,
    max_lines: int,
) -> tuple[float, list[str], bool]:
    """The size and lines for ``value`` in ``zone``, never below the surface's smallest text
    size; the flag says whether it really fits there (else it is the best overflow)."""
    _x, _y, w, h = zone
    min_size = max(surface.min_text, min(surface.width, surface.height) / 120)
    line_height = text.LINE_HEIGHT[text.script_of(language)]

    def measure(s: str, size: float) -> float:
        return surface.measure(s, bold=bold, language=language, size=size)

    size, lines = text.fit(
        value,
        width=w,
        height=h,
        measure=measure,
        line_height=line_height,
        max_lines=max_lines,
        max_size=max(max_size, min_size),
        min_size=min_size,
    )
    fits = (
        len(lines) <= max_lines
        and len(lines) * size * line_height <= h + 0.5
        and all(measure(line, size) <= w + 0.5 for line in lines)
    )
    return size, lines, fits


def _text_block(
    surface: Surface,
    value: str,
    *,
    zone: tuple[float, float, float, float],
    bold: bool,
    language: str,
    max_size: float,
    max_lines: int,
    colour: str,
    rtl: bool,
    valign: str = "top",
    centre: bool = False,
    report: Report | None = None,
    name: str = "text",
) -> bool:
    """Fit ``value`` into ``zone`` and draw it there. A text that would have to be smaller
    than the surface allows is left out (with a warning in ``report``): unreadable text is
    no text. Returns whether it was drawn."""
    size, lines, fits = _fit(
        surface,
        value,
        zone=zone,
        bold=bold,
        language=language,
        max_size=max_size,
        max_lines=max_lines,
    )
    if not fits:
        if report is not None:
            report.warnings.append(f"{name}: left out, it does not fit at a readable size")
        return False
    _draw_lines(
        surface,
        lines,
        zone=zone,
        size=size,
        bold=bold,
        language=language,
        colour=colour,
        rtl=rtl,
        valign=valign,
        centre=centre,
    )
    return True


def _cta(
    surface: Surface,
    content: Content,
    zone: tuple[float, float, float, float],
    claim_size: float,
    claim_lines: int,
    rtl: bool,
    report: Report,
) -> None:
    x, y, w, h = zone
    pad_x, pad_y = min(h * 0.42, w * 0.06), h * 0.14
    inner = (x + pad_x, y + pad_y, w - 2 * pad_x, h - 2 * pad_y)
    # Next to a two-line claim the CTA is clearly second; beside a one-line claim on a
    # tiny banner it may be nearly as large, or it would not be readable.
    ratio = 0.42 if claim_lines == 2 else 0.95

    def attempt(max_lines: int) -> tuple[float, list[str], bool]:
        return _fit(
            surface,
            content.texts["cta"],
            zone=inner,
            bold=True,
            language=content.language,
            max_size=claim_size * ratio,
            max_lines=max_lines,
        )

    # One line unless two are clearly larger: a decision in proportions, so 1x and 2x agree.
    size, lines, fits = attempt(1)
    two = attempt(2)
    if not fits or (two[2] and len(two[1]) == 2 and size < two[0] * 0.75):
        size, lines, _fits = two
    report.cta_lines = len(lines)
    widest = max(
        surface.measure(line, bold=True, language=content.language, size=size) for line in lines
    )
    button_w = min(w, widest + 2 * pad_x)
    left = x + w - button_w if rtl else x
    surface.rounded_rect(left, y, button_w, h, min(h * 0.5, h * 0.22 + 2), "button")
    _draw_lines(
        surface,
        lines,
        zone=(left, y, button_w, h),
        size=size,
        bold=True,
        language=content.language,
        colour="button_text",
        rtl=rtl,
        valign="middle",
        centre=True,
    )


def _logo(
    surface: Surface,
    content: Content,
    zone: tuple[float, float, float, float],
    rtl: bool,
    report: Report,
    claim_size: float,
) -> None:
    from .logo import fit_inside, own_background, plate_for

    x, y, w, h = zone
    if content.logo is None:
        # A partner without a logo is named in its place; the un-branded kit names the
        # alliance there.
        _text_block(
            surface,
            content.partner_name or content.alliance_name,
            zone=zone,
            bold=True,
            language="de",
            max_size=claim_size * 0.3,
            max_lines=3,
            colour="text",
            rtl=rtl,
            valign="middle",
            report=report,
            name="name",
        )
        return
    background = surface.colour_rgb("background")
    plate = plate_for(content.logo, background, dark=surface.colour_rgb("ink"))
    plate_key = None
    if plate is not None:
        plate_key = "white" if plate == (255, 255, 255) else "ink"
    elif surface.plate_always() and own_background(content.logo) is None:
        plate_key = "white"
    logo_w, logo_h = content.logo.size
    if logo_w / logo_h > WIDE_LOGO_RATIO:
        report.warnings.append(
            f"logo: {logo_w / logo_h:.0f}:1 is very wide and reads as a thin line here"
        )
    if plate_key:
        pad = min(w, h) * 0.12
        fit_w, fit_h = fit_inside(logo_w, logo_h, w - 2 * pad, h - 2 * pad)
        plate_w, plate_h = fit_w + 2 * pad, fit_h + 2 * pad
        left = x + w - plate_w if rtl else x
        top = y + (h - plate_h) / 2
        surface.rounded_rect(left, top, plate_w, plate_h, pad * 0.6, plate_key)
        box = (left + pad, top + pad, fit_w, fit_h)
    else:
        fit_w, fit_h = fit_inside(logo_w, logo_h, w, h)
        left = x + w - fit_w if rtl else x
        box = (left, y + (h - fit_h) / 2, fit_w, fit_h)
    surface.logo(content.logo, *box)
    report.logo_box = box
    report.plate = plate_key


def compose(surface: Surface, layout: Layout, content: Content) -> Report:
    """Draw one asset onto ``surface``; returns warnings and where the QR code and logo went."""
    report = Report()
    rtl = text.is_rtl(content.language)
    zones = {name: _zone(box, surface, rtl) for name, box in layout.zones.items()}
    surface.fill_background("background")
    for cx, cy, r, colour in layout.circles:
        cx_abs = (1 - cx if rtl else cx) * surface.width
        surface.circle(cx_abs, cy * surface.height, r * surface.width, colour)

    claim_size = _claim(surface, layout, zones["claim"], rtl)
    if "sub" in zones:
        _text_block(
            surface,
            content.texts["sub"],
            zone=zones["sub"],
            bold=False,
            language=content.language,
            max_size=claim_size * 0.34,
            max_lines=5,
            colour="text",
            rtl=rtl,
            report=report,
            name="sub",
        )
    if "cta" in zones:
        _cta(surface, content, zones["cta"], claim_size, layout.claim_lines, rtl, report)
    if "logo" in zones:
        _logo(surface, content, zones["logo"], rtl, report, claim_size)
    if "alliance" in zones and (content.logo is not None or content.partner_name):
        _text_block(
            surface,
            content.texts["alliance"],
            zone=zones["alliance"],
            bold=False,
            language=content.language,
            max_size=claim_size * 0.2,
            max_lines=1,
            colour="muted",
            rtl=rtl,
            report=report,
            name="alliance",
        )
    if "qr" in zones:
        x, y, w, h = zones["qr"]
        side = surface.qr_side(content.qr_url, min(w, h))
        if side is None:
            report.warnings.append("qr: the zone is too small for a scannable code; left out")
        else:
            left = x + w - side if rtl else x
            surface.qr(content.qr_url, left, y, side)
            report.qr_side = side
            if "qr_label" in zones:
                _lx, _ly, lw, lh = zones["qr_label"]
                # Directly under the code as drawn, which may be smaller than its zone.
                label_zone = (left - (lw - side) / 2, y + side + lh * 0.4, lw, lh)
                _text_block(
                    surface,
                    content.texts["qr_label"],
                    zone=label_zone,
                    bold=True,
                    language=content.language,
                    max_size=claim_size * 0.2,
                    max_lines=1,
                    colour="text",
                    rtl=rtl,
                    centre=True,
                    report=report,
                    name="qr_label",
                )
    if "url" in zones:
        _text_block(
            surface,
            content.display_url,
            zone=zones["url"],
            bold=True,
            language="de",
            max_size=claim_size * 0.22,
            max_lines=1,
            colour="text",
            rtl=rtl,
            report=report,
            name="url",
        )
    return report


__all__ = ["Content", "Report", "Surface", "compose", "qr"]
