"""What the rendered assets look like: sizes, QR codes, logo, right-to-left text, PDF boxes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops
from pypdf import PdfReader

from publishing.partners.kit import BuildResult
from publishing.partners.rendering import (
    load_templates,
    load_texts,
    render_pdf,
    render_raster,
    text,
)
from publishing.partners.rendering.layout import Content
from publishing.partners.rendering.qr import qr_matrix

from .conftest import LOGO_RED, REF, SITE, sample_logo

MM = 72 / 25.4
QR_URL = f"{SITE}/mitmachen/?ref={REF}"
TEMPLATES = load_templates()


def _decode(image: Image.Image) -> list[str]:
    results = zxingcpp.read_barcodes(image.convert("L"))
    assert all(r.format == zxingcpp.BarcodeFormat.QRCode for r in results)  # never Micro QR
    return [r.text for r in results]


def test_every_raster_asset_has_its_pixel_size(rendered_kit: tuple[Path, BuildResult]) -> None:
    folder, result = rendered_kit
    expected = 0
    for language in ("de", "ar"):
        for asset in TEMPLATES.rasters:
            for scale in asset.scales:
                for fmt in asset.formats:
                    suffix = "@2x" if scale == 2 else ""
                    sub = "banner" if asset.family == "banner" else "social-media"
                    path = folder / language / sub / f"zm-{asset.id}-{language}{suffix}.{fmt}"
                    with Image.open(path) as image:
                        assert image.size == (asset.width * scale, asset.height * scale), path
                        assert image.format == fmt.upper()
                    expected += 1
    sizes = {(a.width, a.height) for a in TEMPLATES.rasters}
    assert {(300, 250), (728, 90), (160, 600), (970, 250), (320, 50)} <= sizes
    assert {(1200, 630), (1080, 1080), (1080, 1350), (1080, 1920)} <= sizes
    assert len([f for f in result.files if f.kind in {"banner", "social"}]) == expected


@pytest.mark.parametrize(
    "name",
    [
        "banner/zm-banner-300x250-de.png",
        "banner/zm-banner-160x600-de.png",
        "banner/zm-banner-970x250-de@2x.webp",
        "social-media/zm-social-1080x1080-de.png",
        "social-media/zm-social-1200x630-ar.png",
    ],
)
def test_qr_code_decodes_to_the_partner_link(
    rendered_kit: tuple[Path, BuildResult], name: str
) -> None:
    folder, _result = rendered_kit
    language = "ar" if name.endswith("-ar.png") else "de"
    with Image.open(folder / language / name) as image:
        assert _decode(image) == [QR_URL]


def test_tiny_banners_carry_no_qr_code(rendered_kit: tuple[Path, BuildResult]) -> None:
    folder, _result = rendered_kit
    for name in ("zm-banner-728x90-de@2x.png", "zm-banner-320x50-de@2x.png"):
        with Image.open(folder / "de" / "banner" / name) as image:
            assert _decode(image) == []


def test_pdfs_have_bleed_trim_box_embedded_fonts_and_cmyk_variant(
    rendered_kit: tuple[Path, BuildResult],
) -> None:
    folder, _result = rendered_kit
    for language in ("de", "ar"):
        for asset in TEMPLATES.prints:
            for suffix in ("", "-druck-cmyk"):
                reader = PdfReader(
                    folder / language / "druck" / f"zm-{asset.id}-{language}{suffix}.pdf"
                )
                assert len(reader.pages) == 1
                page = reader.pages[0]
                media, bleed, trim = page.mediabox, page.bleedbox, page.trimbox
                # The bleed box is the format plus 3 mm on every side; the media box adds
                # the slug that carries the crop marks outside the bleed.
                assert float(bleed.width) == pytest.approx((asset.width_mm + 6) * MM, abs=0.01)
                assert float(bleed.height) == pytest.approx((asset.height_mm + 6) * MM, abs=0.01)
                assert float(trim.left) - float(bleed.left) == pytest.approx(3 * MM, abs=0.01)
                assert float(trim.bottom) - float(bleed.bottom) == pytest.approx(3 * MM, abs=0.01)
                assert float(trim.width) == pytest.approx(asset.width_mm * MM, abs=0.01)
                assert float(trim.height) == pytest.approx(asset.height_mm * MM, abs=0.01)
                assert float(media.width) > float(bleed.width) + 10 * MM
                fonts = page["/Resources"]["/Font"]
                for ref in fonts.values():
                    font = ref.get_object()
                    descendant = font.get("/DescendantFonts")
                    target = descendant[0].get_object() if descendant else font
                    assert "/FontFile2" in target["/FontDescriptor"], font["/BaseFont"]
                stream = page.get_contents().get_data().decode("latin-1")  # type: ignore[union-attr]
                if suffix:
                    assert re.search(r"\bk\b", stream) and not re.search(r"\brg\b", stream)
                else:
                    assert re.search(r"\brg\b", stream)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_qr_code_is_vector_and_decodes(
    rendered_kit: tuple[Path, BuildResult], tmp_path: Path, artifacts: Path
) -> None:
    folder, _result = rendered_kit
    pdf = folder / "de" / "druck" / "zm-flyer-a6-de-druck-cmyk.pdf"
    # No raster image carries the code: the only image on the page is the logo.
    page = PdfReader(pdf).pages[0]
    assert len(page.images) == 1
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(tmp_path / "a6")],
        check=True,
        timeout=60,
    )
    with Image.open(tmp_path / "a6.png") as image:
        assert _decode(image) == [QR_URL]
        image.save(artifacts / "flyer-a6-de-druck-cmyk.png")
    ar_pdf = folder / "ar" / "druck" / "zm-poster-a3-ar.pdf"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            "-singlefile",
            str(ar_pdf),
            str(artifacts / "poster-a3-ar"),
        ],
        check=True,
        timeout=60,
    )


def test_small_print_qr_code_is_reported() -> None:
    asset = TEMPLATES.prints[0]
    zones = dict(asset.layout.zones)
    zones["qr"] = (0.08, 0.63, 0.12, 0.12)  # 12.6 mm on A6
    tiny = type(asset)(
        asset.id,
        asset.label,
        asset.use,
        asset.width_mm,
        asset.height_mm,
        asset.bleed_mm,
        type(asset.layout)(2, (), zones),
    )
    content = Content(
        language="de",
        palette=TEMPLATES.palettes["blau"],
        texts=load_texts("de"),
        qr_url=QR_URL,
        display_url="x",
    )
    _data, report = render_pdf(tiny, content=content, cmyk=False, min_qr_mm=20, title="t")
    assert any("below the 20 mm minimum" in w for w in report.warnings)


def _asset(asset_id: str):  # type: ignore[no-untyped-def]
    return next(a for a in TEMPLATES.rasters if a.id == asset_id)


def test_logo_keeps_its_aspect_ratio(artifacts: Path) -> None:
    asset = _asset("social-1080x1080")
    content = Content(
        language="de",
        palette=TEMPLATES.palettes["hell"],
        texts=load_texts("de"),
        qr_url=QR_URL,
        display_url="x",
        logo=sample_logo(),
    )
    image, report = render_raster(
        asset.layout, width=1080, height=1080, scale=1, content=content, min_qr_px=60
    )
    image.save(artifacts / "social-1080x1080-de-hell.png")
    assert report.plate is None  # dark red on light grey-blue needs no backing plate
    x, y, w, h = asset.layout.zones["logo"]
    zone = image.crop((int(x * 1080), int(y * 1080), int((x + w) * 1080), int((y + h) * 1080)))
    red = Image.new("RGB", zone.size, LOGO_RED)
    mask = ImageChops.difference(zone, red).convert("L").point(lambda v: 255 if v < 40 else 0)
    box = mask.getbbox()
    assert box is not None
    ratio = (box[2] - box[0]) / (box[3] - box[1])
    assert ratio == pytest.approx(4.0, rel=0.03)


def test_logo_without_contrast_gets_a_backing_plate() -> None:
    navy = Image.new("RGBA", (300, 100), (10, 40, 90, 255))
    asset = _asset("banner-300x250")
    content = Content(
        language="de",
        palette=TEMPLATES.palettes["blau"],
        texts=load_texts("de"),
        qr_url=QR_URL,
        display_url="x",
        logo=navy,
    )
    _image, report = render_raster(
        asset.layout, width=300, height=250, scale=1, content=content, min_qr_px=60
    )
    assert report.plate == "white"
    white = Image.new("RGBA", (300, 100), (255, 255, 255, 255))
    content.logo, content.palette = white, TEMPLATES.palettes["hell"]
    _image, report = render_raster(
        asset.layout, width=300, height=250, scale=1, content=content, min_qr_px=60
    )
    assert report.plate == "ink"


def test_arabic_is_shaped_and_right_to_left(
    rendered_kit: tuple[Path, BuildResult], artifacts: Path
) -> None:
    cta = load_texts("ar")["cta"]
    path = text.font_path("ar", bold=True)

    def draw(value: str, *, basic: bool) -> Image.Image:
        image = Image.new("L", (700, 120), 255)
        from PIL import ImageDraw

        font = text.pil_font(path, 64, basic)
        kwargs = {} if basic else {"direction": "rtl", "language": "ar"}
        ImageDraw.Draw(image).text((20, 90), value, font=font, fill=0, anchor="ls", **kwargs)
        return image

    shaped = draw(cta, basic=False)
    unshaped = draw(cta, basic=True)
    reversed_unshaped = draw(cta[::-1], basic=True)
    assert ImageChops.difference(shaped, unshaped).getbbox() is not None
    assert ImageChops.difference(shaped, reversed_unshaped).getbbox() is not None
    # The shaped string is narrower: joined letters replace isolated forms.
    assert (
        shaped.point(lambda v: 255 if v < 128 else 0).getbbox()
        != unshaped.point(lambda v: 255 if v < 128 else 0).getbbox()
    )
    # The PDF path uses presentation forms in visual order.
    visual = text.pdf_visual(cta, "ar")
    assert visual != cta and visual != cta[::-1]
    assert any(0xFE70 <= ord(ch) <= 0xFEFF for ch in visual)

    folder, _result = rendered_kit
    for name in ("social-media/zm-social-1080x1350-ar.png", "banner/zm-banner-300x250-ar@2x.png"):
        shutil.copy(folder / "ar" / name, artifacts / name.rsplit("/", 1)[-1])
    for name in (
        "banner/zm-banner-300x250-de.png",
        "banner/zm-banner-970x250-de.png",
        "banner/zm-banner-728x90-de.png",
        "social-media/zm-social-1200x630-de.png",
    ):
        shutil.copy(folder / "de" / name, artifacts / name.rsplit("/", 1)[-1])


def test_qr_is_a_full_qr_code_with_error_correction_m() -> None:
    import segno

    code = segno.make(QR_URL, error="m", micro=False, boost_error=False)
    assert code.error == "M" and not code.is_micro
    assert qr_matrix(QR_URL) == tuple(tuple(bool(v) for v in row) for row in code.matrix)


def test_texts_carry_the_link_and_hashtags(rendered_kit: tuple[Path, BuildResult]) -> None:
    folder, _result = rendered_kit
    for language in ("de", "ar"):
        social = (folder / language / "texte" / f"social-media-{language}.txt").read_text()
        assert QR_URL in social and "#ZUSAMMENMEHR" in social and "#NiedersachsenPacktAn" in social
        for name in ("newsletter-kurz", "newsletter-lang"):
            assert QR_URL in (folder / language / "texte" / f"{name}-{language}.txt").read_text()
        snippet = (folder / language / "texte" / f"banner-einbetten-{language}.html").read_text()
        assert f'href="{QR_URL}"' in snippet.replace("&amp;", "&")
        assert "srcset=" in snippet and 'alt="' in snippet
        assert f"{SITE}/partner/b/{REF}/zm-banner-300x250-{language}@2x.png 2x" in snippet
