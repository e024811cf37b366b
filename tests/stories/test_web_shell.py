"""The home page as a visitor sees it in Chromium: language, direction, contrast, a11y."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_speaks_german_and_passes_axe(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.get_by_role("heading", level=1).inner_text() == "ZUSAMMEN. MEHR."
    assert page.get_by_role("link", name="Geschichte erzählen").is_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    assert skip.evaluate("el => el === document.activeElement")
    assert axe_violations(page) == []


def test_language_switch_to_arabic_turns_the_layout_right_to_left(
    page: Any, live_server: Any
) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Sprache").select_option("ar")
    page.get_by_role("button", name="Wechseln").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    header = page.locator(".brand").bounding_box()
    assert header is not None and header["x"] > 600, "the brand should sit on the right in RTL"
    assert axe_violations(page) == []


def test_contrast_switch_is_remembered(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/")
    toggle = page.locator("[data-contrast-toggle]")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert page.locator("html").get_attribute("data-contrast") == "more"
    assert toggle.get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.locator("html").get_attribute("data-contrast") == "more"
    color = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert color == "rgb(0, 0, 0)"


def test_prefers_contrast_is_followed(browser: Any, live_server: Any) -> None:
    context = browser.new_context(contrast="more")
    page = context.new_page()
    page.goto(live_server.url + "/")
    color = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    context.close()
    assert color == "rgb(0, 0, 0)"


def test_api_docs_render_offline(page: Any, live_server: Any) -> None:
    foreign: list[str] = []
    page.on("request", lambda r: foreign.append(r.url) if "localhost" not in r.url else None)
    page.goto(live_server.url + "/api/docs/")
    page.get_by_text("/api/v1/campaign/").first.wait_for()
    assert foreign == []
