"""Drawing the kit's assets: layout engine, raster and PDF surfaces, QR codes, logos, text."""

from .layout import Content, Report, compose
from .logo import contrast_ratio, logo_normalise, plate_for, svg_sanitise
from .pdf import render_pdf
from .qr import qr_matrix, qr_total_modules
from .raster import encode, render_raster
from .spec import KitTemplates, load_templates, load_texts, templates_fingerprint

__all__ = [
    "Content",
    "KitTemplates",
    "Report",
    "compose",
    "contrast_ratio",
    "encode",
    "load_templates",
    "load_texts",
    "logo_normalise",
    "plate_for",
    "qr_matrix",
    "qr_total_modules",
    "render_pdf",
    "render_raster",
    "svg_sanitise",
    "templates_fingerprint",
]
