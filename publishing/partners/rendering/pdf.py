"""Print PDFs (flyers and posters) drawn with reportlab.

The page is the trimmed format plus 3 mm bleed plus a white slug on every side: TrimBox is
the final format, BleedBox adds the bleed, and the MediaBox adds the slug that carries the
crop marks; background and shapes run into the bleed. Fonts are embedded (reportlab
subsets every TrueType font it uses), the QR code is vector rectangles. The print-ready
variant draws every colour in CMYK from the palette's CMYK values (reportlab's
``enforceColorSpace="cmyk"``); it is not PDF/X, which reportlab cannot produce.

Thread safety: reportlab keeps process-wide state — the font registry in ``pdfmetrics``,
one shared ``TTFont`` per face whose ``TTFontFile`` parser seeks through the font file while
it subsets (two documents subsetting at once corrupt each other: ``KeyError`` in
``makeSubset``), the per-document subset state in a ``WeakKeyDictionary`` and ``rl_config``.
The kit renders in a thread pool, so every PDF is drawn under one process-wide lock. A lock
rather than a process pool: reportlab is pure Python and holds the GIL while it draws, so
threads never drew PDFs in parallel anyway (the raster work around it still overlaps), and
processes would pay a font load and a fork per kit for nothing. ``invariant=1`` fixes the
creation date and document id, so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import threading
from functools import lru_cache

from PIL import Image
from reportlab.lib.colors import CMYKColor, Color
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from . import qr, text
from .layout import Content, Report, compose
from .spec import INK_CMYK, INK_RGB, RGB, PrintAsset

# Logos are embedded at no more than this resolution at their printed size.
LOGO_DPI = 300
# Below this a raster logo prints visibly soft; the partner is told the width it needs.
MIN_LOGO_PPI = 200
# Nothing in print is set smaller than 6 pt.
MIN_PRINT_TEXT_PT = 6.0
CROP_MARK_MM = 5.0
# White margin outside the bleed that carries the crop marks (the "slug").
SLUG_MM = 7.0
# Serialises everything that touches reportlab's process-wide state (see the docstring).
_REPORTLAB_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    for (script, bold), path in text.FONTS.items():
        pdfmetrics.registerFont(TTFont(_font_name(script, bold), path))


def _font_name(script: str, bold: bool) -> str:
    return f"ZM-{script}-{'bold' if bold else 'regular'}"


class PdfSurface:
    """A reportlab page in points, origin top left of the trim box, y pointing down."""

    def __init__(
        self, pdf: canvas.Canvas, asset: PrintAsset, content: Content, *, cmyk: bool
    ) -> None:
        self.pdf = pdf
        self.bleed = asset.bleed_mm * mm
        self.slug = SLUG_MM * mm
        self.margin = self.bleed + self.slug  # page edge to trim edge
        self.width = asset.width_mm * mm
        self.height = asset.height_mm * mm
        self.page_w = self.width + 2 * self.margin
        self.page_h = self.height + 2 * self.margin
        self.palette = content.palette
        self.cmyk = cmyk
        self.min_text = MIN_PRINT_TEXT_PT
        self.smallest_text: float | None = None

    # -- colours --
    def colour_rgb(self, colour: str) -> RGB:
        if colour == "white":
            return (255, 255, 255)
        if colour == "ink":
            return INK_RGB
        return self.palette.rgb[colour]

    def _colour(self, colour: str) -> Color:
        if self.cmyk:
            if colour == "white":
                values: tuple[float, ...] = (0, 0, 0, 0)
            elif colour == "ink":
                values = INK_CMYK
            elif colour == "qr_dark":
                values = (0, 0, 0, 100)
            else:
                values = self.palette.cmyk[colour]
            return CMYKColor(*(v / 100 for v in values))
        if colour == "qr_dark":
            return Color(0, 0, 0)
        r, g, b = self.colour_rgb(colour)
        return Color(r / 255, g / 255, b / 255)

    def plate_always(self) -> bool:
        # A CMYK logo cannot carry transparency here, so it always sits on a white plate
        # whose CMYK white matches the flattened logo's background exactly.
        return self.cmyk

    # -- geometry: trim coordinates (y down) to PDF coordinates (y up, origin in the slug) --
    def _x(self, x: float) -> float:
        return self.margin + x

    def _y(self, y: float) -> float:
        return self.page_h - self.margin - y

    def clip_to_bleed(self) -> None:
        """Everything composed after this stays inside the bleed box (call ``unclip`` after)."""
        self.pdf.saveState()
        path = self.pdf.beginPath()
        path.rect(self.slug, self.slug, self.width + 2 * self.bleed, self.height + 2 * self.bleed)
        self.pdf.clipPath(path, stroke=0, fill=0)

    def unclip(self) -> None:
        self.pdf.restoreState()

    def fill_background(self, colour: str) -> None:
        # The background runs into the bleed and stops there; the slug stays paper white.
        self.pdf.setFillColor(self._colour(colour))
        self.pdf.rect(
            self.slug,
            self.slug,
            self.width + 2 * self.bleed,
            self.height + 2 * self.bleed,
            stroke=0,
            fill=1,
        )

    def circle(self, cx: float, cy: float, r: float, colour: str) -> None:
        self.pdf.setFillColor(self._colour(colour))
        self.pdf.circle(self._x(cx), self._y(cy), r, stroke=0, fill=1)

    def rounded_rect(
        self, x: float, y: float, w: float, h: float, radius: float, colour: str
    ) -> None:
        self.pdf.setFillColor(self._colour(colour))
        self.pdf.roundRect(self._x(x), self._y(y + h), w, h, radius, stroke=0, fill=1)

    def measure(self, value: str, *, bold: bool, language: str, size: float) -> float:
        font = _font_name(text.script_of(language), bold)
        return float(pdfmetrics.stringWidth(text.pdf_visual(value, language), font, size))

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
        if self.smallest_text is None or size < self.smallest_text:
            self.smallest_text = size
        self.pdf.setFillColor(self._colour(colour))
        self.pdf.setFont(_font_name(text.script_of(language), bold), size)
        self.pdf.drawString(self._x(x), self._y(baseline), text.pdf_visual(value, language))

    def logo(self, image: Image.Image, x: float, y: float, w: float, h: float) -> None:
        target = (max(1, round(w / 72 * LOGO_DPI)), max(1, round(h / 72 * LOGO_DPI)))
        scaled = image
        if image.width > target[0] or image.height > target[1]:
            scaled = image.resize(target, Image.Resampling.LANCZOS)
        if self.cmyk:
            flat = Image.new("RGB", scaled.size, (255, 255, 255))
            flat.paste(scaled, (0, 0), scaled)
            reader = ImageReader(flat.convert("CMYK"))
            self.pdf.drawImage(reader, self._x(x), self._y(y + h), w, h)
        else:
            self.pdf.drawImage(ImageReader(scaled), self._x(x), self._y(y + h), w, h, mask="auto")

    def qr_side(self, url: str, available: float) -> float | None:
        return available

    def qr(self, url: str, x: float, y: float, side: float) -> None:
        total = qr.qr_total_modules(url)
        module = side / total
        self.pdf.setFillColor(self._colour("white"))
        self.pdf.rect(self._x(x), self._y(y + side), side, side, stroke=0, fill=1)
        self.pdf.setFillColor(self._colour("qr_dark"))
        origin_x = x + qr.QUIET_ZONE * module
        origin_y = y + qr.QUIET_ZONE * module
        # Rectangles overlap by a hair so no hairline gaps appear between modules in print.
        overlap = module * 0.02
        for row, col, length in qr.qr_runs(url):
            left = origin_x + col * module
            top = origin_y + row * module
            self.pdf.rect(
                self._x(left),
                self._y(top + module) - overlap,
                length * module + overlap,
                module + overlap,
                stroke=0,
                fill=1,
            )

    def crop_marks(self) -> None:
        """Corner marks on the extension of the trim edges, in the slug outside the bleed.

        They start where the bleed ends, so no mark shows on the trimmed piece even when
        the cut drifts by the full bleed; drawn white under registration black.
        """
        length, gap = CROP_MARK_MM * mm, self.bleed
        left, right = self.margin, self.page_w - self.margin
        bottom, top = self.margin, self.page_h - self.margin
        segments = []
        for cx, sx in ((left, -1), (right, 1)):
            for cy, sy in ((bottom, -1), (top, 1)):
                # horizontal mark beside the corner, vertical mark above/below it
                segments.append((cx + sx * gap, cy, cx + sx * (gap + length), cy))
                segments.append((cx, cy + sy * gap, cx, cy + sy * (gap + length)))
        for width, colour in ((0.9, "white"), (0.3, "registration")):
            if colour == "registration":
                self.pdf.setStrokeColor(CMYKColor(1, 1, 1, 1) if self.cmyk else Color(0, 0, 0))
            else:
                self.pdf.setStrokeColor(self._colour("white"))
            self.pdf.setLineWidth(width)
            for x1, y1, x2, y2 in segments:
                self.pdf.line(x1, y1, x2, y2)


def render_pdf(
    asset: PrintAsset, *, content: Content, cmyk: bool, min_qr_mm: float, title: str
) -> tuple[bytes, Report]:
    """One print PDF; the report warns when the QR code would print smaller than
    ``min_qr_mm`` (the symbol without its quiet zone). Safe to call from several threads."""
    with _REPORTLAB_LOCK:
        return _render_pdf_locked(
            asset, content=content, cmyk=cmyk, min_qr_mm=min_qr_mm, title=title
        )


def _render_pdf_locked(
    asset: PrintAsset, *, content: Content, cmyk: bool, min_qr_mm: float, title: str
) -> tuple[bytes, Report]:
    _register_fonts()
    out = io.BytesIO()
    bleed, slug = asset.bleed_mm * mm, SLUG_MM * mm
    margin = bleed + slug
    page = (asset.width_mm * mm + 2 * margin, asset.height_mm * mm + 2 * margin)
    pdf = canvas.Canvas(
        out,
        pagesize=page,
        enforceColorSpace="cmyk" if cmyk else None,
        invariant=1,
        pageCompression=1,
        # Otherwise the page state names Helvetica, a font that is not embedded.
        initialFontName=_font_name("latin", False),
        initialFontSize=10,
    )
    pdf.setTitle(title)
    pdf.setAuthor(content.alliance_name)
    pdf.setSubject("ZUSAMMEN. MEHR.")
    pdf.setCreator("ZUSAMMEN. MEHR. Kampagnenpaket")
    pdf.setTrimBox((margin, margin, page[0] - margin, page[1] - margin))
    pdf.setBleedBox((slug, slug, page[0] - slug, page[1] - slug))
    surface = PdfSurface(pdf, asset, content, cmyk=cmyk)
    surface.clip_to_bleed()
    report = compose(surface, asset.layout, content)
    report.smallest_text = surface.smallest_text
    if content.logo is not None and report.logo_box is not None:
        inches = report.logo_box[2] / 72
        report.logo_ppi = content.logo.width / inches
        if report.logo_ppi < MIN_LOGO_PPI:
            report.logo_needs_px = round(inches * LOGO_DPI)
            report.warnings.append(
                f"logo: prints at {report.logo_ppi:.0f} ppi, below {MIN_LOGO_PPI}; "
                f"needs {report.logo_needs_px} px wide"
            )
    surface.unclip()
    surface.crop_marks()
    if report.qr_side is not None:
        modules = qr.qr_total_modules(content.qr_url)
        symbol_mm = report.qr_side * (modules - 2 * qr.QUIET_ZONE) / modules / mm
        if symbol_mm < min_qr_mm:
            report.warnings.append(
                f"qr: printed {symbol_mm:.1f} mm wide, below the {min_qr_mm:.0f} mm minimum"
            )
    pdf.showPage()
    pdf.save()
    return out.getvalue(), report
