"""The kit templates kept in the repository: colour variants, asset layouts and texts.

The JSON files under ``kit_templates/`` and ``texts/`` are read on every use, so a campaign
designer can change a layout, a colour or a sentence without touching code; their content is
part of every kit's input hash, so a change regenerates the kits that depend on it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = PACKAGE_DIR / "kit_templates"
TEXT_DIR = PACKAGE_DIR / "texts"
# Bump when the rendering code changes in a way that alters the output.
RENDERER_VERSION = "1"

Box = tuple[float, float, float, float]
RGB = tuple[int, int, int]
CMYK = tuple[float, float, float, float]
# The dark backing plate for light logos on light backgrounds (the campaign's ink blue).
INK_RGB: RGB = (20, 33, 61)
INK_CMYK: CMYK = (90, 75, 35, 50)


@dataclass(frozen=True)
class Palette:
    name: str
    label: str
    rgb: dict[str, RGB]
    cmyk: dict[str, CMYK]


@dataclass(frozen=True)
class Layout:
    claim_lines: int
    circles: tuple[tuple[float, float, float, str], ...]
    zones: dict[str, Box]


@dataclass(frozen=True)
class RasterAsset:
    id: str
    family: str  # "banner" or "social"
    label: str
    use: str
    width: int
    height: int
    formats: tuple[str, ...]
    scales: tuple[int, ...]
    layout: Layout


@dataclass(frozen=True)
class PrintAsset:
    id: str
    label: str
    use: str
    width_mm: float
    height_mm: float
    bleed_mm: float
    layout: Layout


@dataclass(frozen=True)
class KitTemplates:
    palettes: dict[str, Palette]
    default_palette: str
    rasters: tuple[RasterAsset, ...]
    prints: tuple[PrintAsset, ...]


def _hex(value: str) -> RGB:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _layout(data: dict[str, Any]) -> Layout:
    return Layout(
        claim_lines=int(data.get("claim_lines", 2)),
        circles=tuple(
            (float(c[0]), float(c[1]), float(c[2]), str(c[3])) for c in data.get("circles", [])
        ),
        zones={name: tuple(float(v) for v in box) for name, box in data["zones"].items()},  # type: ignore[misc]
    )


def load_templates() -> KitTemplates:
    """Parse palette.json and assets.json; raises ValueError/KeyError on a broken file."""
    palette_data = json.loads((TEMPLATE_DIR / "palette.json").read_text(encoding="utf-8"))
    palettes = {
        name: Palette(
            name=name,
            label=str(variant["label"]),
            rgb={key: _hex(value) for key, value in variant["rgb"].items()},
            cmyk={key: tuple(float(v) for v in value) for key, value in variant["cmyk"].items()},  # type: ignore[misc]
        )
        for name, variant in palette_data["variants"].items()
    }
    assets = json.loads((TEMPLATE_DIR / "assets.json").read_text(encoding="utf-8"))
    rasters: list[RasterAsset] = []
    for family, key in (("banner", "banners"), ("social", "social")):
        group = assets[key]
        for item in group["assets"]:
            rasters.append(
                RasterAsset(
                    id=item["id"],
                    family=family,
                    label=item["label"],
                    use=item["use"],
                    width=int(item["width"]),
                    height=int(item["height"]),
                    formats=tuple(group["formats"]),
                    scales=tuple(int(s) for s in group["scales"]),
                    layout=_layout(item),
                )
            )
    printing = assets["print"]
    print_layout = _layout(printing["layout"])
    prints = tuple(
        PrintAsset(
            id=item["id"],
            label=item["label"],
            use=item["use"],
            width_mm=float(item["width_mm"]),
            height_mm=float(item["height_mm"]),
            bleed_mm=float(printing["bleed_mm"]),
            layout=_layout(item["layout"]) if "layout" in item else print_layout,
        )
        for item in printing["assets"]
    )
    return KitTemplates(
        palettes=palettes,
        default_palette=str(palette_data["default"]),
        rasters=tuple(rasters),
        prints=prints,
    )


def load_texts(language: str) -> dict[str, Any]:
    """The campaign copy of one language (CTA, subline, newsletter and social texts)."""
    data: dict[str, Any] = json.loads((TEXT_DIR / f"{language}.json").read_text(encoding="utf-8"))
    return data


def templates_fingerprint() -> str:
    """sha256 over every template and text file and the renderer version."""
    digest = hashlib.sha256(RENDERER_VERSION.encode())
    for folder in (TEMPLATE_DIR, TEXT_DIR):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
