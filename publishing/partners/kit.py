"""Building one kit: every asset, the text material and the usage guide, as named files.

Pure with respect to the database: ``build_kit`` gets all inputs in a ``KitInputs`` and
hands each finished file to ``write``; services.py stores them and the ZIP. The input hash
covers everything that changes the output, so an unchanged kit is never rendered twice.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.template.loader import render_to_string
from PIL import Image

from .rendering import (
    Content,
    encode,
    load_templates,
    load_texts,
    render_pdf,
    render_raster,
    templates_fingerprint,
)
from .rendering.spec import KitTemplates, PrintAsset, RasterAsset

logger = logging.getLogger(__name__)

GUIDE_NAME = "LIESMICH.txt"
PREVIEW_DIR = "_preview"
PRINT_PREVIEW_WIDTH = 420


@dataclass(frozen=True)
class KitInputs:
    """Everything a kit depends on; its hash decides whether a kit must be rendered again."""

    slot: str
    partner_name: str
    ref_code: str
    languages: tuple[str, ...]
    variant: str
    logo_sha256: str
    site_url: str
    banner_base_url: str
    qr_min_px: int
    qr_min_print_mm: float
    templates: str = field(default_factory=templates_fingerprint)

    @property
    def qr_url(self) -> str:
        base = f"{self.site_url}/mitmachen/"
        return f"{base}?ref={self.ref_code}" if self.ref_code else base

    def digest(self) -> str:
        payload = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class KitFile:
    path: str
    kind: str  # banner | social | print | text | guide
    language: str
    label: str
    use: str
    media_type: str
    size_label: str = ""
    width: int = 0
    height: int = 0
    scale: int = 1
    print_ready: bool = False
    preview: str = ""
    bytes: int = 0


@dataclass
class BuildResult:
    files: list[KitFile]
    warnings: list[str]
    timings: dict[str, float]
    # Print formats on which the partner's logo is too small to print sharply, one per format.
    logo_too_small: list[dict[str, Any]] = field(default_factory=list)


MEDIA_TYPES = {
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "html": "text/html",
}


def _raster_name(asset: RasterAsset, language: str, scale: int, fmt: str) -> str:
    folder = "banner" if asset.family == "banner" else "social-media"
    suffix = "@2x" if scale == 2 else ("" if scale == 1 else f"@{scale}x")
    return f"{language}/{folder}/zm-{asset.id}-{language}{suffix}.{fmt}"


def _print_name(asset: PrintAsset, language: str, cmyk: bool) -> str:
    return f"{language}/druck/zm-{asset.id}-{language}{'-druck-cmyk' if cmyk else ''}.pdf"


def _display_url(site_url: str) -> str:
    parts = urlsplit(site_url)
    return f"{parts.netloc}{parts.path.rstrip('/')}/mitmachen"


def _content(
    inputs: KitInputs, templates: KitTemplates, language: str, logo: Image.Image | None
) -> Content:
    return Content(
        language=language,
        palette=templates.palettes.get(inputs.variant)
        or templates.palettes[templates.default_palette],
        texts=load_texts(language),
        qr_url=inputs.qr_url,
        display_url=_display_url(inputs.site_url),
        logo=logo,
        partner_name=inputs.partner_name,
    )


def partner_sentence(template: str, name: str) -> str:
    """``template`` with ``{partner}`` filled in; a name that ends in a full stop ("e.V.")
    takes the sentence's own full stop, so there is never a double one."""
    if not name:
        return ""
    if name.endswith("."):
        template = template.replace("{partner}.", "{partner}")
    return template.replace("{partner}", name)


def _text_files(
    inputs: KitInputs, language: str, banner_files: dict[str, str]
) -> Iterator[tuple[KitFile, bytes]]:
    texts = load_texts(language)
    link = inputs.qr_url
    partner_line = partner_sentence(texts["partner_line"], inputs.partner_name)

    def fill(value: str) -> str:
        return value.replace("{link}", link).replace("{partner_line}", partner_line)

    def make(name: str, label: str, use: str, body: str, ext: str = "txt") -> tuple[KitFile, bytes]:
        path = f"{language}/texte/{name}-{language}.{ext}"
        return (
            KitFile(
                path=path,
                kind="text",
                language=language,
                label=label,
                use=use,
                media_type=MEDIA_TYPES[ext],
            ),
            body.encode("utf-8"),
        )

    yield make(
        "newsletter-kurz",
        "Newsletter (kurz)",
        "Kurzmeldung für Newsletter und Website",
        fill(texts["newsletter_short"]) + "\n",
    )
    yield make(
        "newsletter-lang",
        "Newsletter (lang)",
        "Ausführlicher Text für Newsletter, Gemeindebrief, Mitgliederzeitung",
        fill(texts["newsletter_long"]) + "\n",
    )
    yield make(
        "social-media",
        "Social-Media-Texte",
        "Fertige Beiträge mit den Hashtags #ZUSAMMENMEHR #NiedersachsenPacktAn",
        "\n\n".join(fill(post) for post in texts["social"]) + "\n",
    )
    snippet = render_to_string(
        "partners/kit/snippet.html",
        {
            "link": link,
            "alt": texts["alt"],
            "language": language,
            "rtl": language in {"ar", "fa"},
            "base": inputs.banner_base_url,
            "banners": banner_files,
        },
    )
    yield make(
        "banner-einbetten",
        "HTML-Baustein",
        "Banner mit Link zum Einbetten in die eigene Website (Code kopieren und einfügen)",
        snippet,
        ext="html",
    )


def build_kit(
    inputs: KitInputs,
    *,
    logo_png: bytes | None,
    write: Callable[[str, bytes], None],
    threads: int = 2,
) -> BuildResult:
    """Render every file of the kit and pass it to ``write(path, data)``.

    Raises ValueError/KeyError on broken templates and OSError on unreadable fonts; the
    caller marks the kit failed with the reason.
    """
    started = time.perf_counter()
    templates = load_templates()
    logo = Image.open(io.BytesIO(logo_png)).convert("RGBA") if logo_png else None
    files: list[KitFile] = []
    warnings: list[str] = []
    logo_too_small: list[dict[str, Any]] = []
    timings: dict[str, float] = {"raster": 0.0, "pdf": 0.0, "text": 0.0}

    def raster_job(asset: RasterAsset, language: str, scale: int) -> list[tuple[KitFile, bytes]]:
        began = time.perf_counter()
        content = _content(inputs, templates, language, logo)
        image, report = render_raster(
            asset.layout,
            width=asset.width,
            height=asset.height,
            scale=scale,
            content=content,
            min_qr_px=inputs.qr_min_px,
        )
        if scale == 1:
            warnings.extend(f"{asset.id} ({language}): {w}" for w in report.warnings)
        out = []
        for fmt in asset.formats:
            path = _raster_name(asset, language, scale, fmt)
            out.append(
                (
                    KitFile(
                        path=path,
                        kind=asset.family,
                        language=language,
                        label=asset.label,
                        use=asset.use,
                        media_type=MEDIA_TYPES[fmt],
                        size_label=f"{asset.width}×{asset.height}",
                        width=asset.width * scale,
                        height=asset.height * scale,
                        scale=scale,
                        preview=_raster_name(asset, language, 1, "png"),
                    ),
                    encode(image, fmt),
                )
            )
        timings["raster"] += time.perf_counter() - began
        return out

    def print_job(asset: PrintAsset, language: str) -> list[tuple[KitFile, bytes]]:
        began = time.perf_counter()
        content = _content(inputs, templates, language, logo)
        out = []
        preview = f"{PREVIEW_DIR}/{language}/zm-{asset.id}-{language}.png"
        for cmyk in (False, True):
            data, report = render_pdf(
                asset,
                content=content,
                cmyk=cmyk,
                min_qr_mm=inputs.qr_min_print_mm,
                title=f"ZUSAMMEN. MEHR. – {asset.label}",
            )
            if not cmyk and report.logo_needs_px is not None:
                logo_too_small.append(
                    {
                        "asset": asset.id,
                        "label": asset.label,
                        "ppi": round(report.logo_ppi or 0),
                        "needs_px": report.logo_needs_px,
                    }
                )
            if not cmyk:
                warnings.extend(f"{asset.id} ({language}): {w}" for w in report.warnings)
                for w in report.warnings:
                    logger.warning("kit %s: %s (%s): %s", inputs.slot, asset.id, language, w)
            out.append(
                (
                    KitFile(
                        path=_print_name(asset, language, cmyk),
                        kind="print",
                        language=language,
                        label=asset.label + (" (Druckvorlage CMYK)" if cmyk else ""),
                        use=asset.use,
                        media_type=MEDIA_TYPES["pdf"],
                        size_label=f"{asset.width_mm:g}×{asset.height_mm:g} mm + "
                        f"{asset.bleed_mm:g} mm Beschnitt",
                        print_ready=cmyk,
                        preview=preview,
                    ),
                    data,
                )
            )
        # A small picture of the same layout for the download page (not part of the ZIP).
        width = PRINT_PREVIEW_WIDTH
        height = round(width * asset.height_mm / asset.width_mm)
        image, _report = render_raster(
            asset.layout, width=width, height=height, scale=1, content=content, min_qr_px=0
        )
        out.append(
            (
                KitFile(
                    path=preview,
                    kind="preview",
                    language=language,
                    label=asset.label,
                    use="",
                    media_type="image/png",
                    width=width,
                    height=height,
                ),
                encode(image, "png"),
            )
        )
        timings["pdf"] += time.perf_counter() - began
        return out

    jobs: list[Callable[[], list[tuple[KitFile, bytes]]]] = []
    for language in inputs.languages:
        for r_asset in templates.rasters:
            for scale in r_asset.scales:
                jobs.append(partial(raster_job, r_asset, language, scale))
        for p_asset in templates.prints:
            jobs.append(partial(print_job, p_asset, language))

    # Pillow releases the GIL while it encodes and resamples, so threads overlap usefully.
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for produced in pool.map(lambda job: job(), jobs):
            for kit_file, data in produced:
                kit_file.bytes = len(data)
                write(kit_file.path, data)
                files.append(kit_file)

    # Jobs report their warnings as they finish, in no fixed order: the kit must not depend on it.
    warnings.sort()
    logo_too_small.sort(key=lambda entry: str(entry["asset"]))

    began = time.perf_counter()
    for language in inputs.languages:
        banners = {
            f"b{f.width // f.scale}_{f.scale}": f.path.rsplit("/", 1)[-1]
            for f in files
            if f.kind == "banner" and f.language == language and f.path.endswith(".png")
        }
        for kit_file, data in _text_files(inputs, language, banners):
            kit_file.bytes = len(data)
            write(kit_file.path, data)
            files.append(kit_file)
    guide = render_to_string(
        "partners/kit/guide.txt",
        {
            "inputs": inputs,
            "files": [f for f in files if f.kind != "preview"],
            "link": inputs.qr_url,
            "warnings": warnings,
        },
    ).encode("utf-8")
    files.append(
        KitFile(
            path=GUIDE_NAME,
            kind="guide",
            language="de",
            label="Anleitung und Lizenz",
            use="Welche Datei wofür; Nutzungsbedingungen",
            media_type="text/plain",
            bytes=len(guide),
        )
    )
    write(GUIDE_NAME, guide)
    timings["text"] = time.perf_counter() - began
    timings["total"] = time.perf_counter() - started
    by_asset = {entry["asset"]: entry for entry in logo_too_small}
    return BuildResult(
        files=files,
        warnings=warnings,
        timings=timings,
        logo_too_small=sorted(by_asset.values(), key=lambda entry: entry["needs_px"]),
    )


def manifest_of(result: BuildResult) -> dict[str, Any]:
    return {
        "files": [asdict(f) for f in result.files],
        "warnings": result.warnings,
        "logo_too_small": result.logo_too_small,
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
    }
