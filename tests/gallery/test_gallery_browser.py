"""The gallery as visitors use it, in Chromium: German desktop, Arabic phone, the two-click
embed (nothing from Google before the click) and axe-core on every public page type."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from stories.models import Story
from tests.conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GOOGLE = re.compile(r"youtube|ytimg|google|gstatic|doubleclick|ggpht", re.I)
PLAYER_STUB = "<!doctype html><title>player</title><p>stub player</p>"


@pytest.fixture(autouse=True)
def generous_rate_limits(settings: Any) -> None:
    settings.GALLERY_FEEDBACK_RATE = "10000/hour"


@pytest.fixture
def arabic_phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="ar",
        extra_http_headers={"Accept-Language": "ar"},
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,  # axe-core is injected as an inline script
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _stories(story_factory: Callable[..., Story]) -> dict[str, Story]:
    return {
        "celle": story_factory(
            title="Amina baut ihre Werkstatt auf", region_slug="celle", topic_slug="arbeit"
        ),
        "hannover": story_factory(
            title="Yusuf pflegt in Hannover",
            region_slug="hannover",
            topic_slug="pflege",
            video_language="ar",
        ),
        "arabic": story_factory(
            title="مريم تدرّس في غوسلار",
            text="وصلت مريم إلى غوسلار عام 2015. اليوم تعمل معلمة وتساعد الأطفال الجدد.",
            region_slug="goslar",
            topic_slug="schule",
            language="ar",
            video_language="ar",
            video_id=None,
        ),
    }


def test_browse_filter_and_open_a_story_in_german(
    page: Any, live_server: Any, story_factory: Callable[..., Story]
) -> None:
    stories = _stories(story_factory)
    page.goto(f"{live_server.url}/geschichten/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator(".story-card").count() == 3
    page.screenshot(path="/tmp/gallery-de-desktop.png", full_page=True)
    page.get_by_label("Region", exact=True).select_option("hannover")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url(re.compile(r"region=hannover"))
    assert page.locator(".story-card").count() == 1
    page.get_by_role("link", name="Yusuf pflegt in Hannover").click()
    page.wait_for_url(f"**/geschichten/{stories['hannover'].public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Yusuf pflegt in Hannover"
    assert "Erzählt von Amina" in page.content()
    page.get_by_role("link", name="Alle Geschichten").click()
    page.get_by_label("Suche", exact=True).fill("Yusuf")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"suche=Yusuf"))
    assert page.locator(".story-card-title").all_inner_texts() == ["Yusuf pflegt in Hannover"]


def test_browse_and_open_a_story_in_arabic_on_a_phone(
    arabic_phone: Any, live_server: Any, story_factory: Callable[..., Story]
) -> None:
    page = arabic_phone
    stories = _stories(story_factory)
    page.goto(f"{live_server.url}/geschichten/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    # The grid is one column on a phone and nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.locator("#f-thema").select_option("schule")
    page.locator(".filter-actions button").click()
    page.wait_for_url(re.compile(r"thema=schule"))
    page.locator(".story-card-link").first.click()
    page.wait_for_url(f"**/geschichten/{stories['arabic'].public_id}/")
    assert page.locator("h1").inner_text() == "مريم تدرّس في غوسلار"
    assert page.locator(".story-poster").is_visible()  # no YouTube video yet: poster only
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path="/tmp/gallery-story-ar-phone.png", full_page=True)
    assert axe_violations(page) == []


def test_two_click_embed_loads_nothing_from_google_before_the_click(
    page: Any, live_server: Any, story_factory: Callable[..., Story]
) -> None:
    story = story_factory(title="Ein Video mit zwei Klicks", video_id="abcDEF12345")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # There is no internet here: the player's request is answered by a local stub.
    page.route(
        "https://www.youtube-nocookie.com/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body=PLAYER_STUB),
    )
    page.goto(f"{live_server.url}/geschichten/{story.public_id}/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".embed-poster").is_visible()
    assert page.locator("iframe").count() == 0
    before = [url for url in requested if GOOGLE.search(url.split("?")[0])]
    assert before == []
    assert all(url.startswith(live_server.url) for url in requested), requested
    page.screenshot(path="/tmp/gallery-story-de-before-click.png")

    page.get_by_role("button", name="Video laden und abspielen").click()
    frame = page.locator("iframe.embed-frame")
    frame.wait_for()
    src = frame.get_attribute("src") or ""
    assert src.startswith("https://www.youtube-nocookie.com/embed/abcDEF12345")
    page.wait_for_load_state("networkidle")
    after = [url for url in requested if GOOGLE.search(url)]
    assert after and all(url.startswith("https://www.youtube-nocookie.com/") for url in after)
    assert frame.get_attribute("title") == "Video: Ein Video mit zwei Klicks"


@pytest.mark.parametrize("language", ["de", "ar"])
def test_every_public_page_type_passes_axe(
    browser: Any, live_server: Any, story_factory: Callable[..., Story], language: str
) -> None:
    stories = _stories(story_factory)
    context = browser.new_context(
        locale=language, extra_http_headers={"Accept-Language": language}, bypass_csp=True
    )
    page = context.new_page()
    try:
        paths = [
            "/geschichten/",
            "/geschichten/?region=nirgendwo",
            f"/geschichten/{stories['celle'].public_id}/",
            f"/geschichten/{stories['arabic'].public_id}/",
            "/impressum/",
            "/datenschutz/",
            "/barrierefreiheit/",
            "/leichte-sprache/",
        ]
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            assert page.locator("html").get_attribute("lang") == language
            assert axe_violations(page) == [], path
        # The feedback form with errors, then sent.
        page.goto(f"{live_server.url}/barrierefreiheit/")
        page.locator("#id_email").fill("kein-at-zeichen")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        assert page.locator(".field-error").count() >= 1
        assert axe_violations(page) == []
        page.locator("#id_message").fill("Der Kontrast der Filter ist zu schwach.")
        page.locator("#id_email").fill("")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(re.compile(r"gesendet=1"))
        assert page.locator(".feedback [role=status]").is_visible()
        assert axe_violations(page) == []
    finally:
        context.close()


def test_more_contrast_and_reduced_motion_are_followed(
    browser: Any, live_server: Any, story_factory: Callable[..., Story]
) -> None:
    story = story_factory(title="Kontrast")
    context = browser.new_context(reduced_motion="reduce", bypass_csp=True)
    page = context.new_page()
    page.emulate_media(contrast="more")
    try:
        page.goto(f"{live_server.url}/geschichten/{story.public_id}/")
        ink = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--ink')")
        assert ink.strip() == "#000000"
        assert axe_violations(page) == []
    finally:
        context.close()
