"""sitemap.xml: the public pages and every published story, on SITE_URL's host."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from stories.models import Story

from . import selectors


class _SiteUrlSitemap(Sitemap):
    """Links on SITE_URL's scheme and host, whatever host the request came in on."""

    @property
    def protocol(self) -> str:  # type: ignore[override]
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class StorySitemap(_SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    def items(self) -> QuerySet[Story]:
        return selectors.gallery_sitemap_stories()

    def location(self, item: Story) -> str:
        return reverse("gallery:story", args=[item.public_id])

    def lastmod(self, item: Story) -> datetime:
        return item.status_changed_at


class PageSitemap(_SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self) -> list[str]:
        return [
            "stories:home",
            "gallery:index",
            "form:story",
            "legal:easy_language",
            "legal:accessibility",
            "legal:privacy",
            "legal:imprint",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"pages": PageSitemap, "stories": StorySitemap}
