"""Two moderators in Chromium: claim, ask for changes, the answer, approval, the audit log."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage

from moderation.services import moderation_settings_get
from stories.models import Story
from stories.services import story_submit
from tests.conftest import axe_violations

from .factories import StoryFactory, attach_media, grant_consents, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("seeded"),
]
SCREENSHOTS = Path("/tmp")


def _preview_clip(tmp_path: Path) -> bytes:
    """A one-second clip made by ffmpeg, standing in for the pipeline's preview rendition."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return b""
    out = tmp_path / "preview.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x180:rate=25",
            "-t",
            "1",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
            str(out),
        ],
        check=True,
        timeout=60,
    )
    return out.read_bytes()


def _axe(browser: Any, page: Any, screenshot: str) -> list[dict[str, Any]]:
    """axe-core on the page the user sees, in a twin context that lets axe's script in.

    The product's Content-Security-Policy refuses injected scripts, as it should; the
    twin shares the session, so it renders the same page for the same user.
    """
    twin = browser.new_context(
        locale="de-DE",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
        storage_state=page.context.storage_state(),
    )
    try:
        copy = twin.new_page()
        copy.goto(page.url)
        copy.screenshot(path=str(SCREENSHOTS / screenshot), full_page=True)
        return axe_violations(copy)
    finally:
        twin.close()


def _watch_csp(page: Any, reports: list[str]) -> None:
    page.on(
        "console",
        lambda message: (
            reports.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/moderation/anmelden/?next=/moderation/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests")
    page.click(".staff-signin-form button[type=submit]")
    page.wait_for_url(f"{base}/moderation/")


def test_two_moderators_review_a_story_in_the_browser(
    page: Any, browser: Any, live_server: Any, tmp_path: Path
) -> None:
    settings = moderation_settings_get()
    settings.four_eyes = False
    settings.save()
    make_user("moderator", "mia")
    make_user("moderator", "max")
    story = StoryFactory(title="Vom Praktikum zur Meisterin")
    StoryFactory(title="Unser Chor singt in fünf Sprachen", has_minor=True, language="ar")
    StoryFactory(title="Die erste eigene Wohnung", revised=True, language="uk")
    grant_consents(story)
    clip = _preview_clip(tmp_path)
    from django.core.files.base import ContentFile

    key = default_storage.save(f"media/{story.public_id}/preview.mp4", ContentFile(clip))
    attach_media(story, preview_key=key)
    base = live_server.url

    # Mia opens the queue, claims the story and asks for changes.
    csp_reports: list[str] = []
    _watch_csp(page, csp_reports)
    _login(page, base, "mia")
    assert page.get_by_role("heading", level=1).inner_text() == "Warteschlange"
    assert _axe(browser, page, "moderation-queue.png") == []

    page.get_by_role("link", name="Vom Praktikum zur Meisterin").click()
    page.get_by_role("button", name="Bearbeiten (für andere sperren)").click()
    assert page.get_by_text("Sie bearbeiten diese Geschichte").is_visible()
    assert page.locator("video.ws-video").count() == 1
    src = page.locator("video.ws-video").get_attribute("src")
    assert src == f"/moderation/stories/{story.pk}/media/preview/"
    assert _axe(browser, page, "moderation-review.png") == []

    page.get_by_label("Nachricht an die einreichende Person").fill(
        "Bitte nehmen Sie die Radiomusik im Hintergrund heraus."
    )
    page.get_by_role("button", name="Bitte abschicken").click()
    page.wait_for_url(f"{base}/moderation/")
    assert page.get_by_text("Die Bitte um Änderungen").is_visible()

    # The submitter answers through the submission side.
    story.refresh_from_db()
    assert story.status == Story.Status.CHANGES_REQUESTED
    story_submit(story=story, consents=[])

    # Max sees it again, marked revised, and approves it.
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    other = context.new_page()
    _watch_csp(other, csp_reports)
    try:
        _login(other, base, "max")
        other.get_by_label("nur überarbeitete").check()
        other.get_by_role("button", name="Filtern").click()
        row = other.locator(f'tr[data-story="{story.pk}"]')
        assert row.get_by_text("überarbeitet").is_visible()
        row.get_by_role("link", name="Vom Praktikum zur Meisterin").click()
        for box in other.locator(".ws-checklist input[type=checkbox]").all():
            box.check()
        other.get_by_role("button", name="Freigeben", exact=True).click()
        other.wait_for_url(f"{base}/moderation/")
        assert other.get_by_text("„Vom Praktikum zur Meisterin“ ist freigegeben.").is_visible()

        # The log tells the whole story.
        other.goto(f"{base}/moderation/audit/?story={story.pk}")
        actions = other.locator("tr[data-action]").evaluate_all(
            "rows => rows.map(r => r.dataset.action)"
        )
        assert actions[:4] == [
            "moderation.story.approve",
            "stories.story.resubmit",
            "moderation.story.request_changes",
            "moderation.claim.take",
        ]
        assert _axe(browser, other, "moderation-audit.png") == []
    finally:
        context.close()
    assert csp_reports == []  # the workspace needs no inline script or style
    story.refresh_from_db()
    assert story.status == Story.Status.APPROVED
