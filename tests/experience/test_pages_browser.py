"""Every public page type as people see it, in Chromium: axe-core on every page type (de and
ar, both contrast modes), the compact phone header, and screenshots of each
page type at phone and desktop size in de and ar, kept under var/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from stories.links import status_token
from stories.models import Story
from tests.conftest import axe_violations
from tests.experience.conftest import SCREENSHOTS, fill_gallery
from tests.gallery.conftest import make_story

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("contrast", ["normal", "more"])
@pytest.mark.parametrize("language", ["de", "ar"])
def test_every_page_type_passes_axe(
    open_context: Any, live_server: Any, language: str, contrast: str
) -> None:
    """Home, gallery, story page, form, status page, legal page and the staff sign-in."""
    pages = {**_page_types(live_server), "staff-sign-in": "/moderation/anmelden/"}
    found = {}
    for device in ("phone", "desktop"):
        page = open_context(device=device, language=language, contrast=contrast).new_page()
        for name, path in pages.items():
            page.goto(live_server.url + path, wait_until="networkidle")
            assert page.locator("html").get_attribute("lang") == language
            expected = "more" if contrast == "more" else None
            assert page.locator("html").get_attribute("data-contrast") == expected
            found[f"{device} {name}"] = axe_violations(page)
    assert found == {key: [] for key in found}


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_phone_header_keeps_language_and_contrast_on_one_line(
    open_context: Any, live_server: Any, language: str
) -> None:
    page = open_context(device="phone", language=language).new_page()
    page.goto(live_server.url + "/geschichten/")
    tools = page.locator(".tools-settings")
    box = tools.bounding_box()
    assert box is not None and box["height"] <= 56, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    tops = [
        b["y"]
        for b in (
            page.locator("#lang-select").bounding_box(),
            page.locator(".lang-form button").bounding_box(),
            page.locator("[data-contrast-toggle]").bounding_box(),
        )
        if b
    ]
    assert len(tops) == 3 and max(tops) - min(tops) < 12, tops  # one line
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 740 / 6, header  # was about a quarter
    # The switch keeps its words for assistive technology while a phone shows the icon.
    assert page.get_by_role("button", name=_contrast_name(language)).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _contrast_name(language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(translation.gettext("mehr Kontrast"))


def _page_types(live_server: Any) -> dict[str, str]:
    stories = fill_gallery(8)
    in_review = make_story(title="Noch in Prüfung", status=Story.Status.IN_REVIEW)
    token = status_token(public_id=str(in_review.public_id))
    return {
        "home": "/",
        "gallery": "/geschichten/",
        "story": f"/geschichten/{stories[0].public_id}/",
        "form-step1": "/mitmachen/",
        "status": f"/status/{token}/",
        "legal": "/datenschutz/",
    }


def test_screenshots_of_every_public_page_type(open_context: Any, live_server: Any) -> None:
    pages = _page_types(live_server)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = []
    for language in ("de", "ar"):
        for device in ("phone", "desktop"):
            context = open_context(device=device, language=language)
            page = context.new_page()
            for name, path in pages.items():
                response = page.goto(live_server.url + path, wait_until="networkidle")
                assert response is not None and response.status == 200, (name, path)
                assert page.locator("html").get_attribute("lang") == language
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy stills
                page.wait_for_load_state("networkidle")
                page.evaluate("window.scrollTo(0, 0)")
                target = SCREENSHOTS / f"{name}-{language}-{device}.png"
                page.screenshot(path=str(target), full_page=True)
                taken.append(target)
    assert len(taken) == 24 and all(path.stat().st_size > 5_000 for path in taken)
