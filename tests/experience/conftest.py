"""What a visitor sees, in Chromium: phone and desktop contexts, a gallery full of stories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from stories.models import Story
from tests.conftest import ROOT
from tests.gallery.conftest import make_story

SCREENSHOTS = ROOT / "var" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def open_context(browser: Any) -> Iterator[Callable[..., Any]]:
    """A fresh browser context (empty cache) as a phone or a desktop, in one language."""
    contexts: list[Any] = []

    def open_one(*, device: str = "phone", language: str = "de", contrast: str = "") -> Any:
        phone = device == "phone"
        context = browser.new_context(
            locale=language,
            extra_http_headers={"Accept-Language": language},
            viewport=PHONE if phone else DESKTOP,
            device_scale_factor=2 if phone else 1,
            is_mobile=phone,
            has_touch=phone,
        )
        if contrast:
            context.add_init_script(f"localStorage.setItem('zm-contrast', '{contrast}')")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_one
    for context in contexts:
        context.close()


def fill_gallery(count: int = 24) -> list[Story]:
    """A full first page of the gallery: stills from the pipeline's poster variants."""
    regions = ("celle", "hannover", "goslar", "region-hannover")
    return [
        make_story(
            title=("Amina baut ihre Werkstatt auf", "Yusuf pflegt in Hannover", "مريم تدرّس")[i % 3]
            + f" {i}",
            language="ar" if i % 3 == 2 else "de",
            region_slug=regions[i % 4],
            topic_slug=("arbeit", "schule", "pflege")[i % 3],
            video_language=("de", "ar")[i % 2],
            with_variants=True,
        )
        for i in range(count)
    ]
