"""Shared material for the partner kit tests: logos, partners, a rendered kit on disk."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from publishing.partners.kit import BuildResult, KitInputs, build_kit
from tests.support.services import ROOT

ARTIFACTS = ROOT / "var" / "test-artifacts" / "partner-kit"
SITE = "https://zusammen-mehr.example"
REF = "kirche-celle-3f2a"
LOGO_RED = (139, 0, 0)


def png_bytes(image: Image.Image, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def sample_logo() -> Image.Image:
    """A 4:1 logo: a dark red circle and bar on transparency."""
    logo = Image.new("RGBA", (800, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((0, 0, 200, 200), fill=(*LOGO_RED, 255))
    draw.rectangle((240, 50, 800, 150), fill=(*LOGO_RED, 255))
    return logo


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def kit_inputs(**overrides: Any) -> KitInputs:
    values: dict[str, Any] = {
        "slot": "p1",
        "partner_name": "Ev.-luth. Kirchengemeinde Celle",
        "ref_code": REF,
        "languages": ("de", "ar"),
        "variant": "blau",
        "logo_sha256": "test",
        "site_url": SITE,
        "banner_base_url": f"{SITE}/partner/b/{REF}/",
        "qr_min_px": 60,
        "qr_min_print_mm": 20.0,
    }
    values.update(overrides)
    return KitInputs(**values)


@pytest.fixture(scope="session")
def rendered_kit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """The full de + ar kit for one partner, written to a folder once per session."""
    folder = tmp_path_factory.mktemp("kit")

    def write(path: str, data: bytes) -> None:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    result = build_kit(kit_inputs(), logo_png=png_bytes(sample_logo()), write=write)
    return folder, result


@pytest.fixture
def make_partner(db: None) -> Callable[..., Any]:
    from publishing.partners import services
    from publishing.partners.models import Partner

    def make(
        *,
        approved: bool = True,
        languages: list[str] | None = None,
        logo: bool = True,
        name: str = "Kirche Celle",
    ) -> Partner:
        partner = services.partner_register(
            name=name,
            contact_name="Clara Kontakt",
            email=f"{name.split()[0].lower()}@example.org",
            website="https://kirche.example",
            logo=png_bytes(sample_logo()) if logo else None,
            languages=languages or ["de"],
            colour_variant="blau",
        )
        if approved:
            services.partner_approve(partner=partner, actor=None)
            partner.refresh_from_db()
        return partner

    return make
