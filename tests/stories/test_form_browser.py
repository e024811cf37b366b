"""The submission form at /mitmachen/ as supporters use it, in Chromium, over real tus.

Desktop in German and a phone in Arabic from the first step to the confirmation page,
an upload that survives a dropped connection and a reload, hostile and wrong input, and
axe-core on every step. Uploads go through the real tus endpoint of the live server.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import translation
from django.utils.translation import gettext

from stories.models import ConsentRecord, ConsentText, Region, Story, StoryMedia, Topic
from stories.uploads.models import Upload
from tests.conftest import axe_violations
from tests.support.services import CeleryWorker
from workers.media.samples import make_clip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WAIT_MS = 60_000
HOSTILE = '<script>alert("t")</script><img src=x onerror=alert("i")>'
SCREENSHOTS = os.environ.get("FORM_SCREENSHOTS")  # a folder: save each step there


@pytest.fixture(autouse=True)
def generous_rate_limits(settings: Any) -> None:
    """The browser always comes from 127.0.0.1, like every other test session's client."""
    for name in ("UPLOAD_CREATE_RATE", "FORM_DRAFT_RATE", "FORM_SUBMIT_RATE"):
        setattr(settings, name, "10000/hour")


@pytest.fixture(autouse=True)
def seeded() -> None:
    """Regions, topics and consent texts as the data migration leaves them.

    A transactional test's flush removes migration data; seeding is idempotent.
    """
    seed = importlib.import_module("stories.migrations.0002_seed_regions_topics_consents").seed
    seed(django_apps, None)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(
        tmp_path_factory.mktemp("form") / "familie.mp4", width=320, height=240, duration_s=2
    )


@pytest.fixture(scope="module")
def big_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 1.4 MiB (lossless), so a 256 KiB chunk size gives six PATCH requests."""
    return make_clip(
        tmp_path_factory.mktemp("form") / "werkstatt.mp4",
        width=640,
        height=480,
        duration_s=2,
        extra_args=["-qp", "0"],
    )


@pytest.fixture
def phone_ar(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="ar",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"form-{name}.png"), full_page=True)


def _assert_axe(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], violations


def _next(page: Any) -> None:
    page.locator('button[name="go"][value="next"]').click()
    page.wait_for_load_state()


def _fill_story(page: Any, *, title: str, text: str) -> None:
    page.locator("#id_title").fill(title)
    page.locator("#id_text").fill(text)
    page.locator("#id_region_id").select_option(str(Region.objects.get(slug="celle").pk))
    page.locator("#id_topic_id").select_option(
        str(Topic.objects.get(slug="arbeit-und-ausbildung").pk)
    )


def _upload_state(page: Any) -> str:
    return str(page.locator("[data-upload]").get_attribute("data-upload-state") or "")


def _wait_uploaded(page: Any) -> None:
    page.wait_for_function(
        """() => ['processing', 'ready'].includes(
            document.querySelector('[data-upload]').dataset.uploadState)""",
        timeout=WAIT_MS,
    )


def _fill_people(page: Any, *, name: str, email: str) -> None:
    page.locator("#id_submitter_name").fill(name)
    page.locator("#id_submitter_email").fill(email)
    page.locator("#id_submitter_role_1").check()  # supporter
    page.locator("#id_credit_1").check()  # first name only
    page.locator("#id_has_minor_1").check()  # no
    for purpose in ("publication", "usage_rights", "special_categories", "people_in_video"):
        page.locator(f"#id_consent_{purpose}").check()


def _story_of_page() -> Story:
    return Story.objects.latest("created_at")


def test_whole_form_on_a_desktop_in_german(
    page: Any, live_server: Any, clip: Path, celery_worker: CeleryWorker
) -> None:
    page.goto(f"{live_server.url}/mitmachen/?ref=kirche-celle")
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator('[aria-current="step"]').inner_text().startswith("1")
    assert page.get_by_label("Titel Ihrer Geschichte").is_visible()
    assert (
        page.get_by_role("main")
        .get_by_role("link", name=re.compile("Leichte Sprache"))
        .is_visible()
    )
    _assert_axe(page)
    _shot(page, "de-1-story")

    # Other region reveals its free-text field; the counter counts down.
    assert not page.locator("#id_region_other").is_visible()
    page.locator("#id_region_id").select_option(label="Andere Region")
    assert page.locator("#id_region_other").is_visible()
    page.locator("#id_text").fill("Amina kam 2016 nach Celle.")
    assert page.locator("#id_text-count").inner_text() == "Noch 4.974 Zeichen"
    _fill_story(
        page,
        title="Vom Praktikum zur Meisterin",
        text="Amina kam 2016 nach Celle.\n\nHeute leitet sie eine Werkstatt und bildet aus.",
    )
    _next(page)

    assert page.url.endswith("/mitmachen/video/")
    story = _story_of_page()
    assert story.partner_ref == "kirche-celle"
    assert story.title == "Vom Praktikum zur Meisterin"
    _assert_axe(page)

    # Drafts survive a reload: step one shows what was saved.
    page.goto(f"{live_server.url}/mitmachen/")
    assert page.locator("#id_title").input_value() == "Vom Praktikum zur Meisterin"
    _next(page)

    page.locator("#id_video").set_input_files(str(clip))
    _wait_uploaded(page)
    assert page.locator("progress#upload-progress").get_attribute("max") == "100"
    assert page.locator("progress#upload-progress").evaluate("el => el.value") == 100
    page.wait_for_function(
        "() => document.querySelector('[data-upload]').dataset.uploadState === 'ready'",
        timeout=WAIT_MS,
    )
    assert "verarbeitet" in page.locator("[data-upload-status]").inner_text()
    page.locator("#id_video_language").select_option("de")
    _assert_axe(page)
    _shot(page, "de-2-video")
    _next(page)

    assert page.url.endswith("/mitmachen/personen/")
    assert page.get_by_text("Ist eine Person im Video jünger als 16?").is_visible()
    assert not page.locator("#id_guardian_email").is_visible()
    page.locator("#id_has_minor_0").check()
    assert page.locator("#id_guardian_email").is_visible()
    current = ConsentText.objects.get(purpose="publication", version=1, language="de")
    assert page.get_by_label(current.text).count() == 1
    _assert_axe(page)
    _fill_people(page, name="Amina Beispiel", email="amina@example.org")
    _shot(page, "de-3-people")
    _next(page)

    assert page.url.endswith("/mitmachen/pruefen/")
    assert page.locator('[data-summary="title"]').inner_text() == "Vom Praktikum zur Meisterin"
    assert page.locator('[data-summary="region"]').inner_text() == "Celle"
    assert page.get_by_role("link", name=re.compile("ändern")).count() == 3
    _assert_axe(page)
    _shot(page, "de-4-check")
    page.get_by_role("button", name="Geschichte senden").click()
    page.wait_for_url("**/mitmachen/danke/")

    assert page.url.endswith("/mitmachen/danke/")
    assert page.get_by_text("Bitte bestätigen Sie Ihre E-Mail-Adresse.").is_visible()
    assert "amina@example.org" in page.locator("main").inner_text()
    _assert_axe(page)

    story.refresh_from_db()
    assert story.status == Story.Status.AWAITING_CONFIRMATION
    assert story.language == "de"
    assert story.video_language == "de"
    ledger = ConsentRecord.objects.filter(story=story)
    assert sorted(ledger.values_list("purpose", "text_version", "text_language")) == [
        ("people_in_video", 1, "de"),
        ("publication", 1, "de"),
        ("special_categories", 1, "de"),
        ("usage_rights", 1, "de"),
    ]
    upload = story.video_upload
    assert upload is not None and upload.state == Upload.State.COMPLETED
    assert upload.offset == upload.length == clip.stat().st_size
    assert StoryMedia.objects.get(story=story, is_current=True).state == StoryMedia.State.READY


def test_whole_form_on_a_phone_in_arabic(
    phone_ar: Any, live_server: Any, clip: Path, celery_worker: CeleryWorker
) -> None:
    page = phone_ar
    # Only the publication text exists in Arabic: the others are shown (and recorded) in German.
    # The seeded texts are gone when an earlier transactional test flushed the database and
    # present when this test runs first: make the premise true either way.
    ConsentText.objects.filter(language="ar").exclude(purpose="publication").delete()
    ConsentText.objects.get_or_create(
        purpose="publication",
        version=1,
        language="ar",
        defaults={
            "text": "أوافق على نشر قصتي مع الفيديو على قناة يوتيوب وموقع حملة ZUSAMMEN. MEHR."
        },
    )
    with translation.override("ar"):
        title_label = gettext("Titel Ihrer Geschichte")
        age_question = gettext("Ist eine Person im Video jünger als 16?")
        send = gettext("Geschichte senden")
        confirm = gettext("Bitte bestätigen Sie Ihre E-Mail-Adresse.")
    assert title_label != "Titel Ihrer Geschichte", "the Arabic catalogue is compiled"

    page.goto(f"{live_server.url}/mitmachen/")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_label(title_label).is_visible()
    first = page.locator(".form-step").nth(0).bounding_box()
    second = page.locator(".form-step").nth(1).bounding_box()
    assert first and second and first["x"] > second["x"], "steps run right to left"
    no_overflow = "() => document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_overflow)
    _assert_axe(page)
    _shot(page, "ar-1-story")
    _fill_story(page, title="من التدريب إلى الماجستير", text="وصلت أمينة إلى تسيله عام 2016. " * 3)
    _next(page)

    assert page.url.endswith("/mitmachen/video/")
    page.locator("#id_video").set_input_files(str(clip))
    _wait_uploaded(page)
    page.locator("#id_video_language").select_option("ar")
    assert page.evaluate(no_overflow)
    _assert_axe(page)
    _shot(page, "ar-2-video")
    _next(page)

    assert page.get_by_text(age_question).is_visible()
    _fill_people(page, name="أمينة مثال", email="amina@example.org")
    assert page.evaluate(no_overflow)
    _assert_axe(page)
    _shot(page, "ar-3-people")
    _next(page)

    assert page.url.endswith("/mitmachen/pruefen/")
    button = page.get_by_role("button", name=send)
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box and box["width"] > 300, "the send button spans the phone's width"
    assert page.evaluate(no_overflow)
    _assert_axe(page)
    _shot(page, "ar-4-check")
    button.tap()
    page.wait_for_url("**/mitmachen/danke/")

    assert page.url.endswith("/mitmachen/danke/")
    assert page.get_by_text(confirm).is_visible()
    _assert_axe(page)
    _shot(page, "ar-5-thanks")

    story = _story_of_page()
    assert story.status == Story.Status.AWAITING_CONFIRMATION
    assert story.language == "ar"
    ledger = dict(ConsentRecord.objects.filter(story=story).values_list("purpose", "text_language"))
    assert ledger == {
        "publication": "ar",
        "usage_rights": "de",
        "special_categories": "de",
        "people_in_video": "de",
    }
    assert story.video_upload is not None
    assert story.video_upload.offset == clip.stat().st_size


class _UploadGate:
    """Lets the first ``allow`` PATCH requests through, then drops every upload request."""

    def __init__(self, allow: int) -> None:
        self.allow = allow
        self.patches = 0

    def __call__(self, route: Any) -> None:
        request = route.request
        if request.method == "PATCH":
            self.patches += 1
            if self.patches <= self.allow:
                route.continue_()
                return
        if self.patches >= self.allow and request.method in ("PATCH", "HEAD"):
            route.abort("internetdisconnected")
            return
        route.continue_()


def _record_patches(page: Any) -> list[tuple[int, int]]:
    """(offset sent, bytes the server took) of every PATCH that reached it and was answered.

    Chromium does not expose Blob bodies to Playwright, so the bytes taken are the
    difference between the response's Upload-Offset and the request's.
    """
    finished: list[tuple[int, int]] = []

    def on_finished(request: Any) -> None:
        if request.method == "PATCH" and "/api/v1/uploads/" in request.url:
            sent = int(request.headers["upload-offset"])
            response = request.response()
            assert response is not None and response.status == 204
            finished.append((sent, int(response.headers["upload-offset"]) - sent))

    page.on("requestfinished", on_finished)
    return finished


def _to_video_step(page: Any, live_server: Any) -> Story:
    page.goto(f"{live_server.url}/mitmachen/")
    _fill_story(
        page, title="Gemeinsam im Verein", text="Wir spielen seit drei Jahren zusammen. " * 2
    )
    _next(page)
    return _story_of_page()


def test_an_interrupted_upload_resumes_where_it_stopped(
    page: Any, live_server: Any, big_clip: Path, settings: Any
) -> None:
    settings.FORM_UPLOAD_CHUNK_BYTES = 256 * 1024
    story = _to_video_step(page, live_server)
    assert page.locator("[data-upload]").get_attribute("data-chunk-size") == str(256 * 1024)
    finished = _record_patches(page)
    gate = _UploadGate(allow=2)
    page.route("**/api/v1/uploads/**", gate)

    page.locator("#id_video").set_input_files(str(big_clip))
    page.wait_for_function(
        "() => document.querySelector('[data-upload]').dataset.uploadState === 'paused'",
        timeout=WAIT_MS,
    )
    assert "Pausiert" in page.locator("[data-upload-status]").inner_text()
    before = len(finished)
    assert before == 2
    page.unroute("**/api/v1/uploads/**")

    _wait_uploaded(page)
    upload = Upload.objects.get(owner_key=str(story.public_id))  # one upload: no restart
    size = big_clip.stat().st_size
    assert upload.state == Upload.State.COMPLETED
    assert upload.offset == upload.length == size
    offsets = [offset for offset, _length in finished]
    assert finished[before][0] == 2 * 256 * 1024, "the first PATCH after the drop resumes"
    assert offsets == sorted(set(offsets)), "no byte range was sent twice"
    assert sum(length for _offset, length in finished) == size, "each byte arrived once"


def test_a_reload_mid_upload_resumes_with_the_same_file(
    page: Any, live_server: Any, big_clip: Path, settings: Any
) -> None:
    settings.FORM_UPLOAD_CHUNK_BYTES = 256 * 1024
    story = _to_video_step(page, live_server)
    gate = _UploadGate(allow=3)
    page.route("**/api/v1/uploads/**", gate)
    page.locator("#id_video").set_input_files(str(big_clip))
    page.wait_for_function(
        "() => document.querySelector('[data-upload]').dataset.uploadState === 'paused'",
        timeout=WAIT_MS,
    )
    # Reload while uploads are still cut off: a retry timer of the old page must not
    # resume the upload between restoring the connection and the reload.
    page.reload()
    page.unroute("**/api/v1/uploads/**")

    assert "unterbrochen" in page.locator("[data-interrupted]").inner_text()
    finished = _record_patches(page)
    page.locator("#id_video").set_input_files(str(big_clip))
    _wait_uploaded(page)
    assert finished[0][0] == 3 * 256 * 1024, "the first PATCH after the reload starts at the offset"
    upload = Upload.objects.get(owner_key=str(story.public_id))
    assert upload.state == Upload.State.COMPLETED
    assert upload.offset == upload.length == big_clip.stat().st_size


def test_wrong_and_hostile_input_is_explained_and_escaped(
    page: Any, live_server: Any, clip: Path, tmp_path: Path
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # An empty required field: the summary gets focus and links to the field.
    page.goto(f"{live_server.url}/mitmachen/")
    _next(page)
    summary = page.locator("[data-error-summary]")
    assert summary.get_attribute("role") == "alert"
    assert summary.evaluate("el => el === document.activeElement")
    assert page.title().startswith("Fehler")
    link = summary.get_by_role("link", name="Bitte geben Sie einen Titel ein.")
    assert link.get_attribute("href") == "#id_title"
    title = page.locator("#id_title")
    assert title.get_attribute("aria-invalid") == "true"
    assert "id_title-error" in (title.get_attribute("aria-describedby") or "")
    _assert_axe(page)
    _shot(page, "de-errors")
    link.click()
    assert title.evaluate("el => el === document.activeElement")

    # 100,000 characters: a clear message; everything else stays as typed.
    _fill_story(page, title=f"Titel {HOSTILE}"[:120], text="x" * 100_000)
    _next(page)
    message = page.locator("#id_text-error").inner_text()
    assert "höchstens 5000 Zeichen" in message and "100000" in message
    assert page.locator("#id_title").input_value() == f"Titel {HOSTILE}"[:120]
    assert page.locator("#id_region_id").input_value() == str(Region.objects.get(slug="celle").pk)
    assert "Zeichen zu viel" in page.locator("#id_text-count").inner_text()
    page.locator("#id_text").fill(f"Eine Geschichte mit Tücken. {HOSTILE}\n\nZweiter Absatz.")
    _next(page)

    # A PNG called .mp4: refused in the submitter's language, another file can be chosen.
    fake = tmp_path / "urlaub.mp4"
    fake.write_bytes(
        bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
        + b"\0" * 4096
    )
    page.locator("#id_video_language").select_option("fa")
    page.locator("#id_video").set_input_files(str(fake))
    error = page.locator("[data-upload-error]")
    error.wait_for(state="visible", timeout=WAIT_MS)
    assert "Die Datei ist kein Video" in error.inner_text()
    assert page.locator("#id_video_language").input_value() == "fa"
    page.locator("#id_video").set_input_files(str(clip))
    _wait_uploaded(page)
    assert not error.is_visible()
    _next(page)

    _fill_people(page, name=f"Name {HOSTILE}", email="person@example.org")
    page.locator("#id_submitter_organisation").fill(f"Verein {HOSTILE}")
    page.locator("#id_credit_2").check()
    page.locator("#id_credit_pseudonym").fill(f"P {HOSTILE}"[:80])
    _next(page)

    assert page.url.endswith("/mitmachen/pruefen/")
    story = _story_of_page()
    assert story.title == f"Titel {HOSTILE}"[:120]  # stored as given
    for key in ("title", "text", "submitter_name", "submitter_organisation", "credit"):
        assert "<script>" in page.locator(f'[data-summary="{key}"]').inner_text(), key
    assert page.locator("main script").count() == 0
    assert page.locator("main img").count() == 0
    assert dialogs == []
