"""Reproductions of the partner kit bugs of issue 17 (first part: bugs 1, 7, 3, 2)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from publishing.partners.rendering import load_templates, load_texts, render_pdf, text
from publishing.partners.rendering.layout import Content

from .conftest import REF, SITE

QR_URL = f"{SITE}/mitmachen/?ref={REF}"
TEMPLATES = load_templates()
ZWNJ = "\u200c"


def _content(language: str, **extra: object) -> Content:
    return Content(
        language=language,
        palette=TEMPLATES.palettes["blau"],
        texts=load_texts(language),
        qr_url=QR_URL,
        display_url="x",
        **extra,  # type: ignore[arg-type]
    )


# --- Bug 1: the Persian zero-width non-joiner is drawn as a visible glyph in PDFs -------------
def test_pdf_text_has_no_zero_width_controls_left_to_draw() -> None:
    word = "داستان‌های"
    visual = text.pdf_visual(word, "fa")
    assert ZWNJ not in visual and "\u200d" not in visual and "\u200f" not in visual
    # the letters before the non-joiner keep their final form: shaping still saw it
    assert visual != text.pdf_visual(word.replace(ZWNJ, ""), "fa")


@pytest.mark.parametrize("cmyk", [False, True])
def test_persian_pdf_draws_no_glyph_for_the_non_joiner(cmyk: bool, tmp_path: Path) -> None:
    content = _content("fa")
    assert ZWNJ in content.texts["sub"]
    for asset in TEMPLATES.prints:
        data, _report = render_pdf(asset, content=content, cmyk=cmyk, min_qr_mm=20, title="t")
        pdf = tmp_path / f"{asset.id}.pdf"
        pdf.write_bytes(data)
        extracted = subprocess.run(
            ["pdftotext", "-q", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout
        assert ZWNJ not in extracted, asset.id
        # and no character of the text is drawn with the font's "missing glyph" box
        assert "\ufffd" not in extracted, asset.id
        assert PdfReader(pdf).pages[0] is not None


# --- Bug 7: double full stop, decimal point in German, no charset, PDF Creator "anonymous" ----
def test_a_name_ending_in_a_full_stop_gets_no_second_one() -> None:
    from publishing.partners.kit import _text_files

    from .conftest import kit_inputs

    inputs = kit_inputs(partner_name="Demo-Verein e.V.", languages=("de",))
    bodies = [body.decode() for _file, body in _text_files(inputs, "de", {})]
    joined = "\n".join(bodies)
    assert "Wir unterstützen den Aufruf als Demo-Verein e.V. " in joined
    assert "e.V.." not in joined
    plain = kit_inputs(partner_name="Kirche Celle", languages=("de",))
    assert "als Kirche Celle. " in "\n".join(b.decode() for _f, b in _text_files(plain, "de", {}))


def test_logo_size_limit_uses_the_decimal_comma_in_german() -> None:
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from publishing.partners.rendering import logo_normalise

    with translation.override("de"), pytest.raises(ValidationError) as caught:
        logo_normalise(b"x" * (2 * 1024**2 + 1), max_bytes=2 * 1024**2, max_side=4000)
    assert "2,0 MiB" in " ".join(caught.value.messages)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        logo_normalise(b"x" * (2 * 1024**2 + 1), max_bytes=2 * 1024**2, max_side=4000)
    assert "2.0 MiB" in " ".join(caught.value.messages)


@pytest.mark.django_db
def test_the_logo_form_says_the_limit_with_a_decimal_comma() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import translation

    from publishing.partners.forms import LogoForm

    big = SimpleUploadedFile("logo.png", b"x" * (2 * 1024**2 + 1))
    with translation.override("de"):
        form = LogoForm(data={}, files={"logo": big})
        form.is_valid()
        assert "2,0 MiB" in " ".join(form.errors.get("logo", []))


def test_pdfs_name_their_creator() -> None:
    from io import BytesIO

    data, _report = render_pdf(
        TEMPLATES.prints[0], content=_content("de"), cmyk=False, min_qr_mm=20, title="t"
    )
    metadata = PdfReader(BytesIO(data)).metadata
    assert metadata is not None
    assert metadata.get("/Creator") not in (None, "", "anonymous")
    assert "ZUSAMMEN. MEHR." in str(metadata.get("/Creator"))


@pytest.mark.django_db
def test_text_files_are_served_as_utf_8(
    make_partner: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client
    from django.urls import reverse

    from publishing.partners import services

    partner = make_partner(languages=["de"])
    with django_capture_on_commit_callbacks(execute=False):
        kit = services.kit_request(partner=partner)
    services.kit_generate(kit_id=kit.pk)
    client = Client()
    client.force_login(partner.user)
    for path, media_type in (
        ("de/texte/newsletter-kurz-de.txt", "text/plain"),
        ("de/texte/banner-einbetten-de.html", "text/html"),
    ):
        response = client.get(reverse("partners:download", args=[path]))
        assert response.status_code == 200, path
        assert response["Content-Type"] == f"{media_type}; charset=utf-8"
    pdf = client.get(reverse("partners:download", args=["de/druck/zm-flyer-a5-de.pdf"]))
    assert pdf["Content-Type"] == "application/pdf"


# --- Bug 3: SVGs with width/height but no viewBox; Illustrator's DOCTYPE ---------------------
LOGO_LIMITS = {"max_bytes": 2 * 1024**2, "max_side": 4000}
ILLUSTRATOR_SVG = b"""<?xml version="1.0" encoding="utf-8"?>
<!-- Generator: Adobe Illustrator 27.0.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg version="1.1" id="Ebene_1" xmlns="http://www.w3.org/2000/svg"
 xmlns:xlink="http://www.w3.org/1999/xlink" x="0px" y="0px"
 viewBox="0 0 300 100" style="enable-background:new 0 0 300 100;" xml:space="preserve">
<style type="text/css">.st0{fill:#8B0000;}</style>
<rect class="st0" width="300" height="100"/></svg>"""


def _aspect(png: bytes) -> float:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return image.width / image.height


@pytest.mark.parametrize("unit", ["", "px", "pt", "mm"])
def test_svg_with_width_and_height_but_no_viewbox_is_accepted(unit: str) -> None:
    from publishing.partners.rendering import logo_normalise

    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="200{unit}" height="50{unit}">'
        f'<rect width="200{unit}" height="50{unit}" fill="#8B0000"/></svg>'
    ).encode()
    assert _aspect(logo_normalise(svg, **LOGO_LIMITS)) == pytest.approx(4.0, rel=0.02)


def test_illustrators_doctype_without_internal_subset_is_accepted() -> None:
    from publishing.partners.rendering import logo_normalise

    assert _aspect(logo_normalise(ILLUSTRATOR_SVG, **LOGO_LIMITS)) == pytest.approx(3.0, rel=0.02)


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE svg [<!ENTITY a "b">]>',
        b"<!DOCTYPE svg [ ]>",
        b'<!DOCTYPE svg SYSTEM "file:///etc/passwd">',
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "svg11.dtd" [<!ENTITY a "b">]>',
        b'<!DOCTYPE svg PUBLIC "x" "y"><!DOCTYPE svg PUBLIC "x" "y">',
    ],
)
def test_internal_subsets_entities_and_other_doctypes_are_still_refused(doctype: bytes) -> None:
    from django.core.exceptions import ValidationError

    from publishing.partners.rendering import logo_normalise

    svg = (
        b'<?xml version="1.0"?>'
        + doctype
        + (
            b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10"'
            b' height="10"/></svg>'
        )
    )
    with pytest.raises(ValidationError) as caught:
        logo_normalise(svg, **LOGO_LIMITS)
    assert "DTD oder Entitäten" in " ".join(caught.value.messages)


# --- Bug 2: a logo with its own opaque background gets no plate around it ---------------------
def _boxed_logo(background: tuple[int, int, int]) -> Any:
    from PIL import Image, ImageDraw

    logo = Image.new("RGBA", (400, 120), (*background, 255))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((20, 20, 100, 100), fill=(139, 0, 0, 255))
    draw.rectangle((130, 45, 380, 75), fill=(139, 0, 0, 255))
    return logo


@pytest.mark.parametrize("palette", ["blau", "hell", "dunkel"])
@pytest.mark.parametrize("background", [(255, 255, 255), (250, 226, 0)])
def test_a_logo_on_its_own_opaque_background_gets_no_plate(
    palette: str, background: tuple[int, int, int]
) -> None:
    from publishing.partners.rendering import render_raster

    asset = next(a for a in TEMPLATES.rasters if a.id == "banner-300x250")
    content = _content("de", logo=_boxed_logo(background))
    content.palette = TEMPLATES.palettes[palette]
    _image, report = render_raster(
        asset.layout, width=300, height=250, scale=1, content=content, min_qr_px=60
    )
    assert report.plate is None
    for cmyk in (False, True):
        _data, pdf_report = render_pdf(
            TEMPLATES.prints[0], content=content, cmyk=cmyk, min_qr_mm=20, title="t"
        )
        assert pdf_report.plate is None


def test_a_plain_white_logo_still_gets_a_plate_on_a_light_background() -> None:
    from PIL import Image

    from publishing.partners.rendering.logo import plate_for

    white = Image.new("RGBA", (300, 100), (255, 255, 255, 255))
    assert plate_for(white, (230, 236, 245), dark=(10, 40, 90)) is not None
