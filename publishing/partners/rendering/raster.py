"""Raster assets (web banners, social images) drawn with Pillow.

Everything is drawn at the final pixel size (a 2x banner is drawn at twice the size, not
scaled up), with libraqm shaping Arabic and Farsi.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from . import qr, text
from .layout import Content, Report, compose
from .spec import INK_RGB, RGB, Layout, Palette

WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
# Circles are drawn supersampled so their edges are smooth.
CIRCLE_SUPERSAMPLE = 4


MIN_SCREEN_TEXT_PX = 9


class RasterSurface:
    """A Pillow canvas in pixels; colours are palette keys."""

    def __init__(
        self, width: int, height: int, palette: Palette, *, min_qr_px: int, scale: int = 1
    ) -> None:
        self.width = float(width)
        self.height = float(height)
        # Nothing on a screen format is set smaller than 9 px at 1x (the same at 2x, doubled).
        self.min_text = float(MIN_SCREEN_TEXT_PX * scale)
        self.smallest_text: float | None = None
        self.palette = palette
        self.min_qr_px = min_qr_px
        self.image = Image.new("RGB", (width, height), WHITE)
        self.draw = ImageDraw.Draw(self.image)

    def colour_rgb(self, colour: str) -> RGB:
        if colour == "white":
            return WHITE
        if colour == "ink":
            return INK_RGB
        return self.palette.rgb[colour]

    def plate_always(self) -> bool:
        return False

    def fill_background(self, colour: str) -> None:
        self.draw.rectangle(
            (0, 0, self.image.width, self.image.height), fill=self.colour_rgb(colour)
        )

    def circle(self, cx: float, cy: float, r: float, colour: str) -> None:
        left, top = max(0, int(cx - r)), max(0, int(cy - r))
        right = min(self.image.width, int(cx + r) + 1)
        bottom = min(self.image.height, int(cy + r) + 1)
        if right <= left or bottom <= top:
            return
        s = CIRCLE_SUPERSAMPLE
        mask = Image.new("L", ((right - left) * s, (bottom - top) * s), 0)
        ImageDraw.Draw(mask).ellipse(
            ((cx - r - left) * s, (cy - r - top) * s, (cx + r - left) * s, (cy + r - top) * s),
            fill=255,
        )
        mask = mask.resize((right - left, bottom - top), Image.Resampling.LANCZOS)
        self.image.paste(self.colour_rgb(colour), (left, top, right, bottom), mask)

    def rounded_rect(
        self, x: float, y: float, w: float, h: float, radius: float, colour: str
    ) -> None:
        self.draw.rounded_rectangle(
            (round(x), round(y), round(x + w) - 1, round(y + h) - 1),
            radius=round(radius),
            fill=self.colour_rgb(colour),
        )

    def measure(self, value: str, *, bold: bool, language: str, size: float) -> float:
        font = text.pil_font(text.font_path(language, bold=bold), max(1, round(size)))
        direction = text.pil_direction(language)
        if direction:
            return float(font.getlength(value, direction=direction, language=language))
        return float(font.getlength(value))

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
    ) -> None:
        drawn = max(1, round(size))
        if self.smallest_text is None or drawn < self.smallest_text:
            self.smallest_text = float(drawn)
        font = text.pil_font(text.font_path(language, bold=bold), drawn)
        direction = text.pil_direction(language)
        self.draw.text(
            (x, baseline),
            value,
            font=font,
            fill=self.colour_rgb(colour),
            anchor="ls",
            direction=direction,
            language=language if direction else None,
        )

    def logo(self, image: Image.Image, x: float, y: float, w: float, h: float) -> None:
        size = (max(1, round(w)), max(1, round(h)))
        scaled = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        self.image.paste(scaled, (round(x), round(y)), scaled)

    def qr_side(self, url: str, available: float) -> float | None:
        module = qr.qr_module_px(url, available)
        if available < self.min_qr_px or module < qr.MIN_MODULE_PX:
            return None
        return float(module * qr.qr_total_modules(url))

    def qr(self, url: str, x: float, y: float, side: float) -> None:
        module = int(side) // qr.qr_total_modules(url)
        self.image.paste(qr.qr_image(url, module).convert("RGB"), (round(x), round(y)))


def render_raster(
    layout: Layout,
    *,
    width: int,
    height: int,
    scale: int,
    content: Content,
    min_qr_px: int,
) -> tuple[Image.Image, Report]:
    """One raster asset at ``scale`` times its nominal size.

    A QR code is drawn only if its zone is at least ``min_qr_px`` wide at 1x and leaves two
    whole pixels per module; otherwise the report carries a warning and the code is left out.
    """
    surface = RasterSurface(
        width * scale, height * scale, content.palette, min_qr_px=min_qr_px * scale, scale=scale
    )
    # The 1x rule decides for every scale, so 1x and 2x of one banner always agree.
    if scale != 1 and "qr" in layout.zones:
        zone = layout.zones["qr"]
        side_1x = min(zone[2] * width, zone[3] * height)
        if side_1x < min_qr_px or qr.qr_module_px(content.qr_url, side_1x) < qr.MIN_MODULE_PX:
            layout = type(layout)(
                layout.claim_lines,
                layout.circles,
                {k: v for k, v in layout.zones.items() if k != "qr"},
            )
    report = compose(surface, layout, content)
    if surface.smallest_text is not None:
        report.smallest_text = surface.smallest_text / scale
    return surface.image, report


def encode(image: Image.Image, fmt: str) -> bytes:
    """PNG (lossless, moderately compressed) or WebP (high quality, small)."""
    out = io.BytesIO()
    if fmt == "png":
        image.save(out, format="PNG", compress_level=6)
    elif fmt == "webp":
        image.save(out, format="WEBP", quality=90, method=4)
    else:
        raise ValueError(f"unknown raster format {fmt!r}")
    return out.getvalue()
