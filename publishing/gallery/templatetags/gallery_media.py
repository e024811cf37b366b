"""Template tags of the public pages: responsive posters and the social-preview tags."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from publishing.gallery.og_image import DEFAULT_OG_IMAGE, OG_SIZE

register = template.Library()

# Layout size of a card's image: width/height reserve the box before the image arrives.
CARD_WIDTH, CARD_HEIGHT = 640, 360
# A card is at most about 20rem wide (a phone's full width is 22.5rem less the margins): a
# 2x phone takes the 640-wide still, not the 1280 one, at a hardly visible 1.95x.
CARD_SIZES = "(min-width: 40rem) min(45vw, 20rem), 20rem"


def _widths(sources: dict[str, str], ext: str) -> list[int]:
    names = (name.removesuffix(f".{ext}") for name in sources if name.endswith(f".{ext}"))
    return sorted(int(width) for width in names if width.isdigit())


def _srcset(public_id: Any, widths: list[int], ext: str) -> str:
    return ", ".join(
        f"{reverse('gallery:poster', args=[public_id, f'{w}.{ext}'])} {w}w" for w in widths
    )


@register.simple_tag
def poster_picture(
    story: Any,
    *,
    sizes: str = CARD_SIZES,
    css_class: str = "story-card-poster",
    alt: str = "",
    eager: bool = False,
) -> SafeString:
    """``<picture>`` with WebP and JPEG ``srcset`` of a story's poster variants.

    Stories processed before the variants existed fall back to the one poster.jpg.
    """
    sources: dict[str, str] = getattr(story, "poster_sources", None) or {}
    loading = "eager" if eager else "lazy"
    priority = "high" if eager else "auto"
    jpg, webp = _widths(sources, "jpg"), _widths(sources, "webp")
    if not jpg:
        return format_html(
            '<img class="{}" src="{}" alt="{}" width="{}" height="{}" loading="{}" '
            'decoding="async" fetchpriority="{}">',
            css_class,
            reverse("gallery:poster", args=[story.public_id]),
            alt,
            CARD_WIDTH,
            CARD_HEIGHT,
            loading,
            priority,
        )
    fallback = next((w for w in jpg if w >= CARD_WIDTH), jpg[-1])
    webp_source = (
        format_html(
            '<source type="image/webp" srcset="{}" sizes="{}">',
            _srcset(story.public_id, webp, "webp"),
            sizes,
        )
        if webp
        else ""
    )
    return format_html(
        '<picture>{}<img class="{}" src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" '
        'height="{}" loading="{}" decoding="async" fetchpriority="{}"></picture>',
        webp_source,
        css_class,
        reverse("gallery:poster", args=[story.public_id, f"{fallback}.jpg"]),
        _srcset(story.public_id, jpg, "jpg"),
        sizes,
        alt,
        CARD_WIDTH,
        CARD_HEIGHT,
        loading,
        priority,
    )


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


@register.filter
def isolate(value: Any) -> str:
    """Wrap text in Unicode isolates (FSI … PDI), for attributes where ``<bdi>`` cannot go:
    a Latin title inside Arabic text keeps its own direction and punctuation.

    Only where directions mix (a right-to-left page, or right-to-left text in a left-to-right
    page); elsewhere the text stays as typed.
    """
    text = str(value)
    if get_language_bidi() or _RTL.search(text):
        return f"\u2068{text}\u2069"
    return text


def story_og_image(story: Any) -> str:
    """The absolute URL of a story's 1200×630 still, or "" when it has none."""
    sources = getattr(story, "poster_sources", None) or {}
    if "og.jpg" not in sources:
        return ""
    return f"{settings.SITE_URL}{reverse('gallery:poster', args=[story.public_id, 'og.jpg'])}"


@register.simple_tag(takes_context=True)
def social_meta(context: template.Context) -> SafeString:
    """OpenGraph and Twitter card tags; a page overrides them with ``og_*`` context values.

    Every page gets a 1200×630 image: the story's still on story pages, the campaign's
    image everywhere else.
    """
    request = context.get("request")
    name = str(settings.CAMPAIGN_NAME)
    title = str(context.get("og_title") or name)
    description = str(
        context.get("og_description")
        or _(
            "Geschichten gelungener Integration aus Niedersachsen: kurze Videos und Texte von "
            "Menschen, die zu uns geflüchtet sind."
        )
    )
    url = str(
        context.get("canonical")
        or (f"{settings.SITE_URL}{request.path}" if request is not None else settings.SITE_URL)
    )
    image = str(context.get("og_image") or "")
    sized = bool(context.get("og_image_is_og_size", True)) or not image
    image = image or f"{settings.SITE_URL}{static(DEFAULT_OG_IMAGE)}"
    alt = str(context.get("og_image_alt") or name)
    language = str(context.get("LANGUAGE_CODE") or "de")
    tags = [
        ("property", "og:type", str(context.get("og_type") or "website")),
        ("property", "og:site_name", name),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
        ("property", "og:locale", language),
        ("property", "og:image", image),
        *(
            [
                ("property", "og:image:width", str(OG_SIZE[0])),
                ("property", "og:image:height", str(OG_SIZE[1])),
            ]
            if sized
            else []
        ),
        ("property", "og:image:alt", alt),
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
        ("name", "twitter:image", image),
        ("name", "twitter:image:alt", alt),
    ]
    return format_html_join("\n  ", '<meta {}="{}" content="{}">', tags)
