"""Logo uploads: what is accepted, and hostile or oversized files refused with a clear message."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from publishing.partners.rendering import logo_normalise

from .conftest import png_bytes

LIMITS = {"max_bytes": 2 * 1024**2, "max_side": 4000}

SCRIPT_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
<script>alert(1)</script><rect width="10" height="10"/></svg>"""
HANDLER_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">
<rect width="10" height="10"/></svg>"""
FOREIGN_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
<foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">x</p>
</foreignObject></svg>"""
EXTERNAL_ENTITY_SVG = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>&xxe;</text></svg>"""
BILLION_LAUGHS_SVG = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>&lol4;</text></svg>"""
EXTERNAL_HREF_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg"
 xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">
<image xlink:href="https://evil.example/track.png" width="10" height="10"/></svg>"""
CSS_URL_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
<style>rect { fill: url(https://evil.example/x.svg#p) }</style>
<rect width="10" height="10"/></svg>"""
GOOD_SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 50">
<defs><linearGradient id="g"><stop offset="0" stop-color="#c00"/>
<stop offset="1" stop-color="#600"/>
</linearGradient></defs><rect width="200" height="50" fill="url(#g)"/></svg>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SCRIPT_SVG, "Skripte"),
        (HANDLER_SVG, "Ereignis-Attribut"),
        (FOREIGN_SVG, "eingebettete Inhalte"),
        (EXTERNAL_ENTITY_SVG, "DTD oder Entitäten"),
        (BILLION_LAUGHS_SVG, "DTD oder Entitäten"),
        (EXTERNAL_HREF_SVG, "externe Inhalte"),
        (CSS_URL_SVG, "externe Inhalte"),
    ],
    ids=[
        "script",
        "event-handler",
        "foreignObject",
        "external-entity",
        "billion-laughs",
        "external-href",
        "css-url",
    ],
)
def test_hostile_svg_is_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        logo_normalise(data, **LIMITS)
    assert message in " ".join(info.value.messages)


def test_clean_svg_is_rasterised_keeping_its_aspect_ratio() -> None:
    png = logo_normalise(GOOD_SVG, **LIMITS)
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "RGBA"
        assert image.width / image.height == pytest.approx(4.0, rel=0.01)


def test_oversized_png_is_refused() -> None:
    data = png_bytes(Image.new("RGB", (5000, 300), "white"))
    with pytest.raises(ValidationError) as info:
        logo_normalise(data, **LIMITS)
    assert "5000 × 300 Pixeln zu groß" in " ".join(info.value.messages)


def test_too_many_bytes_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        logo_normalise(b"\x89PNG" + b"0" * (2 * 1024**2), **LIMITS)
    assert "höchstens 2,0 MiB" in " ".join(info.value.messages)


def test_decompression_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = png_bytes(Image.new("L", (3000, 3000), 255))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    with pytest.raises(ValidationError) as info:
        logo_normalise(data, **LIMITS)
    assert "zu groß" in " ".join(info.value.messages)


def test_other_formats_are_refused() -> None:
    gif = png_bytes(Image.new("RGB", (100, 100), "red"), "GIF")
    with pytest.raises(ValidationError) as info:
        logo_normalise(gif, **LIMITS)
    assert "PNG-, JPEG- oder SVG-Datei" in " ".join(info.value.messages)


def test_jpeg_is_accepted_and_transparent_border_trimmed() -> None:
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (100, 150, 300, 250))
    with Image.open(io.BytesIO(logo_normalise(png_bytes(image), **LIMITS))) as out:
        assert out.size == (200, 100)
    jpeg = png_bytes(Image.new("RGB", (300, 100), "navy"), "JPEG")
    with Image.open(io.BytesIO(logo_normalise(jpeg, **LIMITS))) as out:
        assert out.size == (300, 100)
