"""The private status page in Chromium: the timeline, live progress, the reply, the language.

Progress moves because the test moves the media job's row, the way the worker does; every
wait is for a condition in the page, never for a fixed time.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from stories.links import confirm_url, status_url
from stories.models import AuditEntry, Story, StoryMedia
from stories.services import story_transition
from tests.conftest import axe_violations
from tests.stories.builders import submitted_story

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WAIT_MS = 30_000


def _story(*, media_state: str, status: str = "in_review", language: str = "de") -> Story:
    return submitted_story(
        status=status,
        media_state=media_state,
        title="Mein erster Job in Verden",
        language=language,
        submitted_at=timezone.now(),
        email_confirmed_at=timezone.now() if status != "awaiting_confirmation" else None,
    )


def _status_path(story: Story, **kwargs: Any) -> str:
    return status_url(public_id=str(story.public_id), **kwargs).split("://", 1)[1].split("/", 1)[1]


def test_the_timeline_shows_progress_moving_live_and_the_ready_video(
    page: Any, live_server: Any
) -> None:
    story = _story(media_state=StoryMedia.State.TRANSCODING)
    page.goto(f"{live_server.url}/{_status_path(story)}")
    steps = page.locator(".timeline-step")
    assert [steps.nth(i).get_attribute("data-step") for i in range(steps.count())] == [
        "received",
        "confirmed",
        "video",
        "review",
        "approved",
        "published",
    ]
    video = page.locator('[data-step="video"]')
    assert video.get_attribute("data-state") == "current"
    assert page.locator("progress").get_attribute("value") == "10"
    assert axe_violations(page) == []

    StoryMedia.objects.filter(story=story).update(progress_percent=55, eta_seconds=95)
    page.wait_for_function(
        "() => (document.querySelector('progress') || {}).value == 55",
        timeout=WAIT_MS,
    )
    page.wait_for_function(
        "() => /2/.test(document.querySelector('.media-eta').textContent)", timeout=WAIT_MS
    )
    assert "55 %" in page.locator(".media-words").inner_text()

    StoryMedia.objects.filter(story=story).update(
        state=StoryMedia.State.READY, progress_percent=100, finished_at=timezone.now()
    )
    page.wait_for_selector('[data-step="video"][data-state="done"]', timeout=WAIT_MS)
    assert "Das Video ist verarbeitet." in page.locator('[data-step="video"]').inner_text()
    assert page.locator("progress").count() == 0


def test_a_change_request_is_answered_on_the_status_page(page: Any, live_server: Any) -> None:
    story = _story(media_state=StoryMedia.State.READY, status="in_review")
    story_transition(
        story_id=story.pk,
        allowed_from=["in_review"],
        to="changes_requested",
        action="moderation.story.request_changes",
    )
    page.goto(f"{live_server.url}/{_status_path(story)}")
    assert "Kolleginnen" in page.locator("[data-change-request]").inner_text()
    page.get_by_role("button", name="Antwort senden").click()
    assert page.locator("#reply-error").is_visible()  # an empty answer is refused, in words
    assert page.locator("#reply").get_attribute("aria-invalid") == "true"
    page.fill("#reply", "Meine Kolleginnen heißen Anna und Leyla; wir backen jeden Morgen.")
    page.get_by_role("button", name="Antwort senden").click()
    page.wait_for_selector("[data-reply-sent]")
    assert "Anna und Leyla" in page.locator("[data-reply]").inner_text()
    assert axe_violations(page) == []
    reply = AuditEntry.objects.get(story=story, action="stories.story.reply")
    assert reply.actor_label == "submitter" and "Leyla" in reply.comment
    assert Story.objects.get(pk=story.pk).status == "changes_requested"


def test_a_link_from_an_arabic_email_opens_in_arabic_in_a_fresh_browser(
    browser: Any, live_server: Any
) -> None:
    story = _story(
        media_state=StoryMedia.State.READY, status="awaiting_confirmation", language="ar"
    )
    link = confirm_url(public_id=str(story.public_id), language=story.language)
    assert link.endswith("?lang=ar")
    context = browser.new_context(locale="de-DE", extra_http_headers={"Accept-Language": "de"})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/" + link.split("://", 1)[1].split("/", 1)[1])
        html = page.locator("html")
        assert html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl"
        assert page.locator("[data-confirmed]").is_visible()
        assert re.search(r"/status/[^/]+/", page.url)
        assert page.locator('[data-step="confirmed"]').get_attribute("data-state") == "done"
        assert axe_violations(page) == []
        page.goto(f"{live_server.url}/mitmachen/")  # the cookie keeps the e-mail's language
        assert page.locator("html").get_attribute("lang") == "ar"
    finally:
        context.close()


def test_a_refused_video_is_explained_in_the_readers_language(client: Any) -> None:
    """The reason is stored with its code; each reader gets it in their own language."""
    story = _story(media_state=StoryMedia.State.FAILED)
    StoryMedia.objects.filter(story=story).update(
        failure_code="too_long", failure_message="Das Video ist zu lang (deutsch gespeichert)."
    )
    page = client.get(f"/{_status_path(story)}", HTTP_ACCEPT_LANGUAGE="ar")
    assert "الفيديو طويل جدًا" in page.content.decode()
    page = client.get(f"/{_status_path(story)}", {"lang": "de"})
    assert "Das Video ist zu lang. Bitte kürzen Sie es auf höchstens 5 Minuten." in (
        page.content.decode()
    )


def test_a_refused_answer_says_why_and_keeps_the_text(client: Any) -> None:
    """Too long, or sent after the story went back to review (a second tab): nothing is lost."""
    story = _story(media_state=StoryMedia.State.READY)
    story_transition(
        story_id=story.pk, to="changes_requested", action="moderation.story.request_changes"
    )
    url = f"/{_status_path(story)}"
    long = client.post(url, {"action": "reply", "reply": "Anna " * 500}).content.decode()
    assert "zu lang" in long and "Anna Anna" in long
    story_transition(story_id=story.pk, to="in_review", action="stories.story.resubmit")
    late = client.post(url, {"action": "reply", "reply": "Zu spät, aber wichtig."})
    assert late.status_code == 400
    page = late.content.decode()
    assert "keine offene Bitte" in page and "Zu spät, aber wichtig." in page
    assert not AuditEntry.objects.filter(story=story, action="stories.story.reply").exists()
