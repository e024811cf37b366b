"""Partner logos: accept PNG, JPEG or a sanitised SVG, normalise to a trimmed RGBA PNG, and
decide whether the logo needs a backing plate to stand out against a background.

SVG is parsed with defusedxml (no DTDs, so no entity expansion or external entities; only
the plain W3C document type line design tools write is removed beforehand), then
checked against an allow-list of what a logo may contain: no scripts, no event handlers, no
foreignObject, no links other than ``#fragment`` and embedded PNG/JPEG data.

A tiny SVG can still be costly to draw: ``<use>`` elements that reference groups of ``<use>``
elements multiply at every level (a 1.4 KB file ran for minutes). Before anything is drawn,
the document is refused when it has too many elements, too many references, references
nested too deep, or more elements than allowed once every reference is expanded. Only then is
the checked document rasterised by cairosvg, whose URL fetcher refuses everything but
``data:``, in a child process with a CPU and a memory limit (``svg_child.py``), so whatever the
checks miss costs at most those limits and never the web worker itself.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import warnings
from pathlib import Path
from xml.etree.ElementTree import Element, register_namespace, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from .spec import RGB

# The normalised logo is at most this many pixels on its longer side (A2 zone at ~250 dpi).
NORMALISED_MAX_SIDE = 2000
MIN_SIDE = 16
WHITE: RGB = (255, 255, 255)
register_namespace("", "http://www.w3.org/2000/svg")
register_namespace("xlink", "http://www.w3.org/1999/xlink")

FORBIDDEN_TAGS = frozenset(
    {
        "script",
        "foreignobject",
        "iframe",
        "embed",
        "object",
        "handler",
        "listener",
        "audio",
        "video",
        "canvas",
        "set",
        "animate",
        "animatetransform",
        "animatemotion",
        "use_external",
    }
)
# Structural limits of an SVG logo, checked before it is drawn. A logo exported from a design
# tool has a few hundred elements and uses a symbol at most a few levels deep.
SVG_MAX_ELEMENTS = 5000
SVG_MAX_REFERENCES = 500  # href="#…" and url(#…) in the whole document
SVG_MAX_REFERENCE_DEPTH = 3  # a <use> of a symbol that uses a symbol that uses a symbol
SVG_MAX_EXPANDED = 20_000  # elements to draw once every reference is expanded
# Referenced for their attributes only; their children (stops) are never drawn once per use.
_CHEAP_TARGETS = frozenset({"lineargradient", "radialgradient", "stop"})
_CHILD = Path(__file__).with_name("svg_child.py")
HREF_ALLOWED = re.compile(r"^(#[\w.:-]*|data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]*)$", re.I)
URL_IN_CSS = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.I)
LOCAL_URL = re.compile(r"url\(\s*['\"]?\s*#([^'\")\s]+)", re.I)
CSS_FORBIDDEN = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:", re.I)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _check_css(value: str) -> None:
    if CSS_FORBIDDEN.search(value):
        raise ValidationError(_("Das SVG-Logo enthält nicht erlaubte Stilangaben."), code="svg")
    for target in URL_IN_CSS.findall(value):
        if not HREF_ALLOWED.match(target):
            raise ValidationError(
                _(
                    "Das SVG-Logo verweist auf externe Inhalte. Bitte ein eigenständiges Logo "
                    "hochladen."
                ),
                code="svg_external",
            )


# The plain document type declaration design tools write (Illustrator, Inkscape): a public
# identifier of the W3C SVG DTD and a system literal, no internal subset. It declares
# nothing, so it is removed before parsing; any other DTD is refused by the parser.
STANDARD_DOCTYPE = re.compile(
    rb'<!DOCTYPE\s+svg\s+PUBLIC\s+"-//W3C//DTD SVG [0-9.]+(?: Tiny| Basic)?//EN"'
    rb'(?:\s+"[^"\[\]<>]*")?\s*>'
)


def svg_sanitise(data: bytes) -> Element:
    """The parsed, checked SVG root; ValidationError for anything a logo must not contain."""
    data = STANDARD_DOCTYPE.sub(b"", data, count=1)
    try:
        root: Element = SafeET.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise ValidationError(
            _("Das SVG-Logo enthält eine DTD oder Entitäten und wird deshalb abgelehnt."),
            code="svg_dtd",
        ) from exc
    except SafeET.ParseError as exc:
        raise ValidationError(_("Die SVG-Datei ist fehlerhaft."), code="svg_parse") from exc
    if _local(root.tag) != "svg":
        raise ValidationError(_("Die Datei ist kein SVG-Bild."), code="svg_parse")
    for element in root.iter():
        tag = _local(str(element.tag))
        if tag in FORBIDDEN_TAGS:
            raise ValidationError(
                _("Das SVG-Logo enthält Skripte oder eingebettete Inhalte (%(tag)s).")
                % {"tag": tag},
                code="svg_script",
            )
        if tag == "style" and element.text:
            _check_css(element.text)
        for name, value in element.attrib.items():
            attr = _local(name)
            if attr.startswith("on"):
                raise ValidationError(
                    _("Das SVG-Logo enthält Skripte (Ereignis-Attribut %(attr)s).")
                    % {"attr": attr},
                    code="svg_script",
                )
            if attr in {"href", "src"} and not HREF_ALLOWED.match(value.strip()):
                raise ValidationError(
                    _(
                        "Das SVG-Logo verweist auf externe Inhalte. Bitte ein eigenständiges "
                        "Logo hochladen."
                    ),
                    code="svg_external",
                )
            if attr == "style" or "url(" in value:
                _check_css(value)
    _check_references(root)
    return root


def _too_costly() -> ValidationError:
    return ValidationError(
        _(
            "Das SVG-Logo ist zu aufwendig aufgebaut (zu viele Elemente oder verschachtelte "
            "Verweise). Bitte ein einfacheres SVG oder eine PNG-Datei hochladen."
        ),
        code="svg_complex",
    )


def _references(element: Element) -> list[str]:
    """The ids ``element`` itself names: its ``href="#…"`` and every ``url(#…)`` value."""
    found: list[str] = []
    for name, value in element.attrib.items():
        if _local(name) == "href" and value.strip().startswith("#"):
            found.append(value.strip()[1:])
        found.extend(LOCAL_URL.findall(value))
    return found


def _check_references(root: Element) -> None:
    """Refuse documents whose references multiply what has to be drawn (``<use>`` bombs)."""
    elements = list(root.iter())
    if len(elements) > SVG_MAX_ELEMENTS:
        raise _too_costly()
    by_id = {el.attrib["id"]: el for el in elements if "id" in el.attrib}
    # A rule in <style> may apply to any element; its targets count against every one.
    style_targets = [
        target
        for el in elements
        if _local(str(el.tag)) == "style" and el.text
        for target in LOCAL_URL.findall(el.text)
    ]
    direct = {id(el): _references(el) for el in elements}
    if sum(map(len, direct.values())) + len(style_targets) > SVG_MAX_REFERENCES:
        raise _too_costly()
    own = {key: targets + style_targets for key, targets in direct.items()}
    # Cost of drawing an element = itself + its children + whatever it references, with the
    # deepest chain of references below it; memoised, so linear in the document's size.
    memo: dict[int, tuple[int, int]] = {}
    visiting: set[int] = set()

    def cost(element: Element) -> tuple[int, int]:
        key = id(element)
        if key in memo:
            return memo[key]
        if key in visiting:  # a reference cycle: cairosvg would recurse until it gives up
            raise _too_costly()
        visiting.add(key)
        count, depth = 1, 0
        for child in element:
            child_count, child_depth = cost(child)
            count, depth = count + child_count, max(depth, child_depth)
        for target_id in own[key]:
            target = by_id.get(target_id)
            if target is None or target is element:
                continue
            if _local(str(target.tag)) in _CHEAP_TARGETS:
                count += 1
                continue
            target_count, target_depth = cost(target)
            count, depth = count + target_count, max(depth, target_depth + 1)
            if count > SVG_MAX_EXPANDED or depth > SVG_MAX_REFERENCE_DEPTH:
                raise _too_costly()
        visiting.discard(key)
        memo[key] = (count, depth)
        if count > SVG_MAX_EXPANDED or depth > SVG_MAX_REFERENCE_DEPTH:
            raise _too_costly()
        return count, depth

    try:
        cost(root)
    except RecursionError as exc:  # nested deeper than any logo is
        raise _too_costly() from exc


# CSS pixels per unit of an absolute SVG length.
UNIT_PX = {
    "": 1.0,
    "px": 1.0,
    "pt": 4 / 3,
    "pc": 16.0,
    "mm": 96 / 25.4,
    "cm": 96 / 2.54,
    "in": 96.0,
}


def _length(value: str | None) -> float | None:
    """An absolute length in CSS pixels; None for a missing, relative or broken one."""
    if not value:
        return None
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(px|pt|pc|mm|cm|in)?\s*", value)
    if not match:
        return None
    return float(match.group(1)) * UNIT_PX[match.group(2) or ""]


def _svg_aspect(root: Element) -> float:
    view_box = root.attrib.get("viewBox")
    if view_box:
        parts = [float(p) for p in re.split(r"[\s,]+", view_box.strip()) if p]
        if len(parts) == 4 and parts[2] > 0 and parts[3] > 0:
            return parts[2] / parts[3]
    width, height = _length(root.attrib.get("width")), _length(root.attrib.get("height"))
    if width and height:
        return width / height
    raise ValidationError(
        _("Das SVG-Logo braucht eine viewBox oder eine Breite und Höhe."), code="svg_size"
    )


def _render_in_child(clean: bytes, *, seconds: int, memory_mb: int) -> bytes:
    """The PNG of a checked SVG, drawn by ``svg_child.py`` under CPU and memory limits."""
    command = [sys.executable, "-I", str(_CHILD), str(seconds), str(memory_mb * 1024**2)]
    try:
        done = subprocess.run(
            command, input=clean, capture_output=True, timeout=seconds * 3 + 5, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise _too_costly() from exc
    if done.returncode == 2:
        raise ValidationError(_("Die SVG-Datei ist fehlerhaft."), code="svg_parse")
    if done.returncode != 0 or not done.stdout:
        raise _too_costly()
    return done.stdout


def _rasterise_svg(root: Element, *, seconds: int, memory_mb: int) -> Image.Image:
    aspect = _svg_aspect(root)
    if aspect > 50 or aspect < 1 / 50:
        raise ValidationError(_("Das Logo ist zu schmal oder zu hoch."), code="logo_aspect")
    if aspect >= 1:
        width, height = NORMALISED_MAX_SIDE, round(NORMALISED_MAX_SIDE / aspect)
    else:
        width, height = round(NORMALISED_MAX_SIDE * aspect), NORMALISED_MAX_SIDE
    if "viewBox" not in root.attrib:
        # Width and height alone (checked by _svg_aspect) span the drawing's user space.
        declared_w = _length(root.attrib.get("width"))
        declared_h = _length(root.attrib.get("height"))
        if not declared_w or not declared_h:
            raise ValidationError(
                _("Das SVG-Logo braucht eine viewBox oder eine Breite und Höhe."),
                code="svg_size",
            )
        root.set("viewBox", f"0 0 {declared_w:g} {declared_h:g}")
    # Size the document ourselves so the declared width/height cannot ask for a huge surface.
    root.set("width", str(width))
    root.set("height", str(height))
    clean = tostring(root, encoding="utf-8")
    png = _render_in_child(clean, seconds=seconds, memory_mb=memory_mb)
    return Image.open(io.BytesIO(png)).convert("RGBA")


def _open_raster(data: bytes, *, max_side: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in {"PNG", "JPEG"}:
                raise ValidationError(
                    _("Das Logo muss eine PNG-, JPEG- oder SVG-Datei sein."), code="logo_type"
                )
            width, height = image.size
            if width > max_side or height > max_side:
                raise ValidationError(
                    _(
                        "Das Logo ist mit %(width)s × %(height)s Pixeln zu groß (höchstens "
                        "%(max)s × %(max)s)."
                    )
                    % {"width": width, "height": height, "max": max_side},
                    code="logo_dimensions",
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("Das Logo ist zu groß (höchstens %(max)s × %(max)s Pixel).") % {"max": max_side},
            code="logo_dimensions",
        ) from exc
    except (OSError, SyntaxError) as exc:  # Pillow's UnidentifiedImageError is an OSError
        raise ValidationError(
            _("Das Logo muss eine PNG-, JPEG- oder SVG-Datei sein."), code="logo_type"
        ) from exc
    upright: Image.Image = ImageOps.exif_transpose(image)
    return upright.convert("RGBA")


def logo_normalise(
    data: bytes,
    *,
    max_bytes: int,
    max_side: int,
    render_seconds: int = 10,
    render_memory_mb: int = 512,
) -> bytes:
    """A validated logo as a trimmed RGBA PNG; ValidationError with a clear message otherwise.

    An SVG is checked structurally here and drawn in a child process limited to
    ``render_seconds`` of CPU and ``render_memory_mb`` of memory.
    """
    if len(data) > max_bytes:
        raise ValidationError(
            _("Die Logo-Datei ist zu groß (höchstens %(mib)s MiB).")
            % {"mib": number_format(max_bytes / 1024**2, 1)},
            code="logo_bytes",
        )
    head = data[:512].lstrip()
    if head.startswith(b"<") or b"<svg" in data[:4096]:
        image = _rasterise_svg(
            svg_sanitise(data), seconds=render_seconds, memory_mb=render_memory_mb
        )
    else:
        image = _open_raster(data, max_side=max_side)
    alpha_box = image.getchannel("A").getbbox()
    if alpha_box is None:
        raise ValidationError(_("Das Logo ist leer."), code="logo_empty")
    image = image.crop(alpha_box)
    if min(image.size) < MIN_SIDE:
        raise ValidationError(
            _("Das Logo ist zu klein (mindestens %(min)s Pixel).") % {"min": MIN_SIDE},
            code="logo_small",
        )
    image.thumbnail((NORMALISED_MAX_SIDE, NORMALISED_MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


# --- Contrast ----------------------------------------------------------------------------
def relative_luminance(colour: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = colour
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def dominant_colours(logo: Image.Image, *, count: int = 4) -> list[tuple[RGB, float]]:
    """The logo's main colours (opaque pixels only) with their share, largest first."""
    small = logo.convert("RGBA").copy()
    small.thumbnail((96, 96))
    flatten = getattr(small, "get_flattened_data", None) or small.getdata
    pixels: list[tuple[int, int, int, int]] = list(flatten())
    opaque = [px[:3] for px in pixels if px[3] >= 128]
    if not opaque:
        return []
    strip = Image.new("RGB", (len(opaque), 1))
    strip.putdata(opaque)
    quantised = strip.quantize(colors=count, method=Image.Quantize.MEDIANCUT)
    palette = quantised.getpalette() or []
    counts: list[tuple[int, int]] = quantised.getcolors() or []  # type: ignore[assignment]
    total = sum(n for n, _ in counts)
    result = [
        ((palette[i * 3], palette[i * 3 + 1], palette[i * 3 + 2]), n / total) for n, i in counts
    ]
    return sorted(result, key=lambda item: -item[1])


# Graphics need 3:1 against their surroundings (WCAG 1.4.11, non-text contrast).
MIN_LOGO_CONTRAST = 3.0


def own_background(logo: Image.Image) -> RGB | None:
    """The colour of the logo's own opaque background, if it brings one: an opaque border of
    one colour around content of another (a white box with the mark in it). A logo that is
    all one colour has no background of its own."""
    small = logo.convert("RGBA").copy()
    small.thumbnail((96, 96))
    width, height = small.size
    if width < 3 or height < 3:
        return None
    flatten = getattr(small, "get_flattened_data", None) or small.getdata
    rgba: list[tuple[int, int, int, int]] = list(flatten())

    def at(x: int, y: int) -> tuple[int, int, int, int]:
        return rgba[y * width + x]

    border = [at(x, y) for x in range(width) for y in (0, height - 1)]
    border += [at(x, y) for y in range(1, height - 1) for x in (0, width - 1)]
    if any(px[3] < 250 for px in border):
        return None
    mean = [round(sum(px[i] for px in border) / len(border)) for i in range(3)]

    def far(px: tuple[int, int, int, int]) -> bool:
        return max(abs(px[i] - mean[i]) for i in range(3)) > 40

    if sum(1 for px in border if far(px)) > len(border) * 0.02:
        return None
    inner = [at(x, y) for x in range(1, width - 1) for y in range(1, height - 1)]
    if sum(1 for px in inner if far(px)) < len(inner) * 0.02:
        return None
    return (mean[0], mean[1], mean[2])


def plate_for(logo: Image.Image, background: RGB, *, dark: RGB) -> RGB | None:
    """None when the logo stands out on ``background``; else the plate colour that works best.

    A logo with its own opaque background is its own plate and never gets another one.
    Otherwise every colour making up at least 15 % of the logo must reach 3:1 against the
    background.
    """
    if own_background(logo) is not None:
        return None
    colours = [c for c, share in dominant_colours(logo) if share >= 0.15]
    if not colours:
        return None
    if min(contrast_ratio(c, background) for c in colours) >= MIN_LOGO_CONTRAST:
        return None
    best = max((WHITE, dark), key=lambda plate: min(contrast_ratio(c, plate) for c in colours))
    return best


def fit_inside(width: float, height: float, box_w: float, box_h: float) -> tuple[float, float]:
    """The largest size with the same aspect ratio that fits the box."""
    scale = min(box_w / width, box_h / height)
    return width * scale, height * scale
