"""A Lighthouse-style byte budget on a phone (360×740, DPR 2): the home page and the gallery
transfer under 200 KB on first load, with a full page of stories. Bytes are counted by
Chromium itself (DevTools ``Network.loadingFinished``: encoded bytes on the wire, headers
included); videos would not count, and the pages load none."""

from __future__ import annotations

from typing import Any

import pytest

from publishing.gallery import services
from tests.experience.conftest import fill_gallery

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BUDGET = 200 * 1024


def _first_load(context: Any, url: str) -> tuple[int, dict[str, int]]:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    types: dict[str, str] = {}
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}

    def received(event: dict[str, Any]) -> None:
        types[event["requestId"]] = event["response"]["mimeType"]
        urls[event["requestId"]] = event["response"]["url"]

    def finished(event: dict[str, Any]) -> None:
        sizes[event["requestId"]] = int(event["encodedDataLength"])

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="networkidle")
    counted = {
        urls.get(rid, rid): size
        for rid, size in sizes.items()
        if not types.get(rid, "").startswith("video/")
    }
    return sum(counted.values()), counted


@pytest.mark.parametrize("path", ["/", "/geschichten/"])
def test_first_load_on_a_phone_stays_under_200_kb(
    open_context: Any, live_server: Any, path: str
) -> None:
    stories = fill_gallery(24)
    for story in stories[:3]:
        services.story_pick(story=story)
    total, counted = _first_load(open_context(device="phone"), live_server.url + path)
    images = [url for url in counted if "/poster" in url]
    assert images, "the page should show stills"
    assert all(url.endswith(".webp") for url in images), images  # the small WebP variants
    assert total < BUDGET, f"{total} bytes: {sorted(counted.items(), key=lambda i: -i[1])}"
    print(f"{path}: {total} bytes in {len(counted)} responses, {len(images)} stills")
