"""Reproductions of the partner kit bugs of issue 17, one test (or a few) per bug."""

from __future__ import annotations

import subprocess
from pathlib import Path

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
