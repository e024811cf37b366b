"""The form in the browser: a too-long video is refused at once; typing survives a reload."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps

from stories.models import Region, Topic
from stories.uploads.models import Upload
from workers.media.samples import make_clip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LIMIT_SECONDS = 120


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(
        tmp_path_factory.mktemp("duration") / "lang.mp4",
        width=160,
        height=120,
        duration_s=LIMIT_SECONDS + 6,
        fps="5",
        faststart=True,
    )


def test_a_video_over_the_limit_is_refused_before_a_byte_is_sent(
    page: Any, live_server: Any, long_clip: Path, settings: Any
) -> None:
    importlib.import_module("stories.migrations.0002_seed_regions_topics_consents").seed(
        django_apps, None
    )
    settings.MEDIA_MAX_DURATION_SECONDS = LIMIT_SECONDS
    page.goto(f"{live_server.url}/mitmachen/")
    page.locator("#id_title").fill("Zu lang erzählt")
    page.locator("#id_text").fill("Eine Geschichte, die länger dauert als erlaubt. " * 3)
    page.locator("#id_region_id").select_option(str(Region.objects.get(slug="celle").pk))
    page.locator("#id_topic_id").select_option(
        str(Topic.objects.get(slug="arbeit-und-ausbildung").pk)
    )
    page.locator('button[name="go"][value="next"]').click()
    page.wait_for_load_state()
    hint = page.locator("#id_video-hint").inner_text()
    assert "höchstens 2 Minuten" in hint  # the limit comes from the setting

    page.locator("#id_video").set_input_files(str(long_clip))
    page.wait_for_function(
        "() => document.querySelector('[data-upload]').dataset.uploadState === 'too-long'",
        timeout=30_000,
    )
    error = page.locator("#id_video-error")
    assert error.is_visible()
    text = error.inner_text()
    assert "2,1 Minuten" in text and "höchstens 2 Minuten" in text
    assert Upload.objects.count() == 0  # nothing was sent


def test_typing_not_yet_sent_survives_a_reload_and_is_forgotten_once_sent(
    page: Any, live_server: Any
) -> None:
    importlib.import_module("stories.migrations.0002_seed_regions_topics_consents").seed(
        django_apps, None
    )
    page.goto(f"{live_server.url}/mitmachen/")
    page.locator("#id_title").fill("Unser Chor in Celle")
    page.locator("#id_text").press_sequentially("Seit zwei Jahren singen wir zusammen.")
    page.wait_for_function("() => Object.keys(localStorage).some((k) => k.startsWith('zm-form:'))")
    page.reload()
    assert page.locator("#id_title").input_value() == "Unser Chor in Celle"
    assert page.locator("#id_text").input_value() == "Seit zwei Jahren singen wir zusammen."
    stored = page.evaluate("() => JSON.stringify(localStorage)")
    assert "website" not in stored  # never the honeypot, names or addresses

    page.locator('button[name="go"][value="next"]').click()  # sent: the server has it now
    page.wait_for_load_state()
    assert (
        page.evaluate(
            "() => Object.keys(localStorage).filter((k) => k.startsWith('zm-form:')).length"
        )
        == 0
    )
