"""Reproductions of the partner kit bugs of issue 17, second part: bugs 8, 6, 9, 4, 5 and 10."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from publishing.partners.rendering import load_templates, load_texts, render_pdf
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


# --- Bug 8: the partner is named on the material without a logo; the logo can be removed -----
def _pdf_text(data: bytes, tmp_path: Path, name: str) -> str:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-q", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.parametrize("language", ["de", "ar"])
def test_without_a_logo_the_partner_is_named_on_every_print_file(
    language: str, tmp_path: Path
) -> None:
    content = _content(language, partner_name="Demo-Verein Celle")
    for asset in TEMPLATES.prints:
        data, _report = render_pdf(asset, content=content, cmyk=False, min_qr_mm=20, title="t")
        words = " ".join(_pdf_text(data, tmp_path, asset.id).split())
        assert "Demo-Verein Celle" in words, asset.id


def test_without_a_logo_the_partner_is_named_on_the_banners() -> None:
    from PIL import ImageChops

    from publishing.partners.rendering import render_raster

    def draw(name: str) -> Any:
        asset = next(a for a in TEMPLATES.rasters if a.id == "banner-300x250")
        image, _report = render_raster(
            asset.layout,
            width=300,
            height=250,
            scale=1,
            content=_content("de", partner_name=name),
            min_qr_px=60,
        )
        return image

    assert ImageChops.difference(draw("Demo-Verein Celle"), draw("Kirche Hameln")).getbbox()


@pytest.mark.django_db
def test_a_partner_can_remove_its_logo(
    make_partner: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.storage import default_storage
    from django.test import Client
    from django.urls import reverse

    from publishing.partners.models import Partner, PartnerKit
    from stories.models import AuditEntry

    partner = make_partner(languages=["de"])
    key = partner.logo_key
    assert key and default_storage.exists(key)
    client = Client()
    client.force_login(partner.user)
    page = client.get(reverse("partners:area")).content.decode()
    assert reverse("partners:logo_remove") in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:logo_remove"))
    assert response.status_code == 302
    partner = Partner.objects.get(pk=partner.pk)
    assert partner.logo_key == "" and partner.logo_sha256 == ""
    assert not default_storage.exists(key)
    assert AuditEntry.objects.filter(action="partners.partner.logo_remove").count() == 1
    kit = PartnerKit.objects.get(partner=partner)
    assert kit.status == PartnerKit.Status.STALE  # asked for again, without the logo
    page = client.get(reverse("partners:area")).content.decode()
    assert reverse("partners:logo_remove") not in page


# --- Bug 6: removing a language keeps embedded banners working ---------------------------------
@pytest.mark.django_db
def test_banners_of_a_removed_language_keep_answering(
    make_partner: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    from publishing.partners import services
    from publishing.partners.models import PartnerKit

    partner = make_partner(languages=["de", "fa"])
    with django_capture_on_commit_callbacks(execute=False):
        kit = services.kit_request(partner=partner)
    services.kit_generate(kit_id=kit.pk)
    client = Client()
    base = f"/partner/b/{partner.ref_code}/"
    fa_banner = b"".join(client.get(f"{base}zm-banner-300x250-fa.png").streaming_content)
    assert fa_banner.startswith(b"\x89PNG")

    with django_capture_on_commit_callbacks(execute=False):
        services.partner_update_choices(
            partner=partner, actor=None, colour_variant="blau", languages=["de"]
        )
    # while the new kit is made, the stored generation still answers
    assert PartnerKit.objects.get(pk=kit.pk).status == PartnerKit.Status.STALE
    assert client.get(f"{base}zm-banner-300x250-fa.png").status_code == 200
    services.kit_generate(kit_id=kit.pk)

    for name, stand_in in (
        ("zm-banner-300x250-fa.png", "zm-banner-300x250-de.png"),
        ("zm-banner-300x250-fa@2x.png", "zm-banner-300x250-de@2x.png"),
    ):
        response = client.get(base + name)
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content)
        assert body == b"".join(client.get(base + stand_in).streaming_content)
        assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get(f"{base}zm-banner-999x99-fa.png").status_code == 404
    assert client.get(f"{base}zm-flyer-a5-de.pdf").status_code == 404


# --- Bug 9: a visit is a visitor, not a page load; stories count once the e-mail is confirmed --
@pytest.mark.django_db
def test_reloads_of_the_form_are_one_visit(make_partner: Callable[..., Any]) -> None:
    from django.test import Client

    from publishing.partners.models import RefVisit
    from publishing.partners.selectors import partner_stats

    partner = make_partner()
    url = f"/mitmachen/?ref={partner.ref_code}"
    one = Client(HTTP_USER_AGENT="Firefox", REMOTE_ADDR="198.51.100.7")
    for _ in range(4):
        assert one.get(url).status_code == 200
    assert RefVisit.objects.get(ref_code=partner.ref_code).count == 1
    Client(HTTP_USER_AGENT="Firefox", REMOTE_ADDR="198.51.100.8").get(url)
    Client(HTTP_USER_AGENT="Safari", REMOTE_ADDR="198.51.100.7").get(url)
    assert partner_stats(partner=partner)["visits"] == 3


@pytest.mark.django_db
def test_stories_count_only_once_the_email_is_confirmed(make_partner: Callable[..., Any]) -> None:
    from django.utils import timezone

    from publishing.partners.selectors import partner_stats
    from stories.models import Story

    partner = make_partner()
    now = timezone.now()
    Story.objects.create(
        access_token_hash="unconfirmed",
        status=Story.Status.AWAITING_CONFIRMATION,
        partner_ref=partner.ref_code,
        submitted_at=now,
    )
    assert partner_stats(partner=partner)["stories"] == 0
    Story.objects.create(
        access_token_hash="confirmed",
        status=Story.Status.IN_REVIEW,
        partner_ref=partner.ref_code,
        submitted_at=now,
        email_confirmed_at=now,
    )
    assert partner_stats(partner=partner) == {"visits": 0, "stories": 1, "published": 0}


# --- Bug 4: text too small to read; the 728x90 button; very wide logos ---------------------
@pytest.mark.parametrize("language", ["de", "ar", "fa", "uk"])
@pytest.mark.parametrize("branded", ["logo", "name", "public"])
def test_no_text_on_a_screen_format_is_smaller_than_9_px(language: str, branded: str) -> None:
    from publishing.partners.rendering import render_raster

    from .conftest import sample_logo

    extra: dict[str, Any] = {
        "logo": {"logo": sample_logo()},
        "name": {"partner_name": "Ev.-luth. Kirchengemeinde Celle"},
        "public": {},
    }[branded]
    for asset in TEMPLATES.rasters:
        for scale in (1, 2):
            _image, report = render_raster(
                asset.layout,
                width=asset.width,
                height=asset.height,
                scale=scale,
                content=_content(language, **extra),
                min_qr_px=60,
            )
            assert report.smallest_text is not None
            assert report.smallest_text >= 9, (asset.id, scale, report.smallest_text)


@pytest.mark.parametrize("language", ["de", "ar", "fa"])
def test_no_text_in_print_is_smaller_than_6_pt(language: str) -> None:
    for asset in TEMPLATES.prints:
        _data, report = render_pdf(
            asset, content=_content(language), cmyk=False, min_qr_mm=20, title="t"
        )
        assert report.smallest_text is not None and report.smallest_text >= 6, asset.id


@pytest.mark.parametrize("language", ["de", "en", "tr", "uk", "ar", "fa"])
def test_the_leaderboard_button_is_one_line_at_1x_and_2x(language: str) -> None:
    from publishing.partners.rendering import render_raster

    asset = next(a for a in TEMPLATES.rasters if a.id == "banner-728x90")
    lines = set()
    for scale in (1, 2):
        _image, report = render_raster(
            asset.layout,
            width=728,
            height=90,
            scale=scale,
            content=_content(language),
            min_qr_px=60,
        )
        lines.add(report.cta_lines)
    assert lines == {1}


def test_a_very_wide_logo_is_warned_about() -> None:
    from PIL import Image

    from publishing.partners.rendering import render_raster

    asset = next(a for a in TEMPLATES.rasters if a.id == "banner-300x250")
    wide = Image.new("RGBA", (2400, 100), (139, 0, 0, 255))
    _image, report = render_raster(
        asset.layout,
        width=300,
        height=250,
        scale=1,
        content=_content("de", logo=wide),
        min_qr_px=60,
    )
    assert any("very wide" in w for w in report.warnings)


@pytest.mark.django_db
def test_the_partner_is_told_when_the_uploaded_logo_is_very_wide(
    make_partner: Callable[..., Any],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse
    from PIL import Image

    from .conftest import png_bytes

    partner = make_partner(logo=False)
    client = Client()
    client.force_login(partner.user)
    wide = png_bytes(Image.new("RGBA", (2400, 100), (139, 0, 0, 255)))
    response = client.post(
        reverse("partners:logo"),
        {"logo": SimpleUploadedFile("wide.png", wide)},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert "sehr breit (24:1)" in response.content.decode()


# --- Bug 5: the responsive snippet picks its banner by the space it sits in ---------------------
@pytest.mark.browser
def test_the_snippet_shows_the_banner_that_fits_its_container(browser: Any) -> None:
    from publishing.partners.kit import _text_files

    from .conftest import kit_inputs

    inputs = kit_inputs(languages=("de",))
    banners = {
        f"b{w}_{s}": f"zm-banner-{w}x{h}-de{'@2x' if s == 2 else ''}.png"
        for w, h in ((300, 250), (728, 90), (160, 600), (970, 250), (320, 50))
        for s in (1, 2)
    }
    snippet = next(
        body.decode()
        for kit_file, body in _text_files(inputs, "de", banners)
        if kit_file.path.endswith(".html")
    )
    page_html = f"""<!doctype html><html><body style="margin:0;width:1400px">
    <header id="header" style="width:970px">{snippet}</header>
    <div style="display:flex"><main id="main" style="width:728px">{snippet}</main>
    <aside id="sidebar" style="width:300px">{snippet}</aside>
    <aside id="narrow" style="width:200px">{snippet}</aside></div></body></html>"""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    import re as _re

    from PIL import Image

    from .conftest import png_bytes

    def fulfil(route: Any) -> None:
        match = _re.search(r"(\d+)x(\d+)-de(@2x)?\.png", route.request.url)
        assert match is not None
        scale = 2 if match[3] else 1
        size = (int(match[1]) * scale, int(match[2]) * scale)
        route.fulfill(body=png_bytes(Image.new("RGB", size, "navy")), content_type="image/png")

    page.route("**/*.png", fulfil)
    page.set_content(page_html, wait_until="load")
    shown = page.evaluate(
        """() => Object.fromEntries(['header', 'main', 'sidebar', 'narrow'].map(id => [id,
            [...document.querySelectorAll('#' + id + ' img')]
              .filter(img => img.offsetParent !== null)
              .map(img => img.getAttribute('width') + 'x' + img.getAttribute('height')
                   + '@' + Math.round(img.getBoundingClientRect().width))]))"""
    )
    context.close()
    assert shown == {
        "header": ["970x250@970"],
        "main": ["728x90@728"],
        "sidebar": ["300x250@300"],
        "narrow": ["160x600@160"],
    }


# --- Bug 10: a logo too small for a print format is flagged with the width it needs ------------
def test_a_logo_too_small_for_a2_is_flagged_with_the_width_it_needs() -> None:
    from PIL import Image

    from .conftest import sample_logo

    a2 = next(a for a in TEMPLATES.prints if a.id == "poster-a2")
    _data, report = render_pdf(
        a2, content=_content("de", logo=sample_logo()), cmyk=False, min_qr_mm=20, title="t"
    )
    assert report.logo_ppi is not None and report.logo_ppi < 200
    assert report.logo_needs_px is not None and report.logo_needs_px > 800
    assert any("ppi" in w for w in report.warnings)
    big = Image.new("RGBA", (2000, 500), (139, 0, 0, 255))
    _data, report = render_pdf(
        a2, content=_content("de", logo=big), cmyk=False, min_qr_mm=20, title="t"
    )
    assert report.logo_needs_px is None and not any("ppi" in w for w in report.warnings)


@pytest.mark.django_db
def test_the_kit_page_tells_the_partner_its_logo_is_too_small_for_print(
    make_partner: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client
    from django.urls import reverse

    from publishing.partners import services

    partner = make_partner(languages=["de"])  # the sample logo is 800 px wide
    with django_capture_on_commit_callbacks(execute=False):
        kit = services.kit_request(partner=partner)
    services.kit_generate(kit_id=kit.pk)
    client = Client()
    client.force_login(partner.user)
    page = client.get(reverse("partners:kit"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "zu klein und würde unscharf gedruckt" in page
    assert "Pixel breit" in page
