"""Draw static/img/og-default.jpg again (after the campaign's name or alliance changed)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from publishing.gallery.og_image import DEFAULT_OG_IMAGE, draw_default_og_image


class Command(BaseCommand):
    help = "Draw the default 1200×630 sharing image into static/."

    def handle(self, *args: Any, **options: Any) -> None:
        target = draw_default_og_image(settings.BASE_DIR / "static" / DEFAULT_OG_IMAGE)
        self.stdout.write(str(target))
