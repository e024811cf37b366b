"""A person under 16 in the video: the guardian agrees through a link before approval."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from stories.models import AuditEntry, ConsentRecord, Story
from stories.notifications import guardian_request_send
from stories.services import story_confirm_email, story_create_draft, story_transition

pytestmark = pytest.mark.django_db


def _minor_story_awaiting_confirmation(language: str = "de") -> Story:
    story, _token = story_create_draft(language=language)
    Story.objects.filter(pk=story.pk).update(
        title="Unsere Tochter im Schwimmverein",
        text="Leila lernt schwimmen und trainiert jetzt zweimal in der Woche im Verein.",
        submitter_name="Samira Beispiel",
        submitter_email="samira@example.org",
        has_minor=True,
        guardian_name="Karim Beispiel",
        guardian_email="karim@example.org",
    )
    return story_transition(
        story_id=story.pk, allowed_from=["draft"], to="awaiting_confirmation", action="test.submit"
    )


def _guardian_link(client: Client, story: Story, captured: Any) -> str:
    with captured(execute=True) as callbacks:
        story_confirm_email(story=story)
    assert any("send_guardian_request" in repr(c) for c in callbacks)
    assert guardian_request_send(story_id=story.pk)
    message = mail.outbox[-1]
    assert message.to == ["karim@example.org"]
    return re.search(r"https?://[^/]+(/einverstaendnis/\S+/)", message.body).group(1)


def test_guardian_agrees_and_the_ledger_shows_it(
    client: Client, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    story = _minor_story_awaiting_confirmation()
    link = _guardian_link(client, story, django_capture_on_commit_callbacks)
    assert not guardian_request_send(story_id=story.pk)  # never twice

    page = client.get(link).content.decode()
    assert "Unsere Tochter im Schwimmverein" in page
    assert "Ich bin erziehungsberechtigt und stimme der Veröffentlichung zu." in page
    assert client.post(link, {"decision": "agree"}).status_code == 302
    story.refresh_from_db()
    assert story.guardian_confirmed_at is not None and story.status == "in_review"
    record = ConsentRecord.objects.get(story=story, subject="guardian")
    assert (record.purpose, record.granted, record.text_version) == ("guardian", True, 1)
    assert AuditEntry.objects.filter(story=story, action="stories.guardian.confirm").count() == 1
    assert "Ihre Zustimmung ist gespeichert" in client.get(link).content.decode()
    assert client.post(link, {"decision": "refuse"}).status_code == 200  # no second answer
    story.refresh_from_db()
    assert story.status == "in_review"


def test_guardian_refuses_and_the_story_is_withdrawn(
    client: Client, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    story = _minor_story_awaiting_confirmation(language="tr")
    link = _guardian_link(client, story, django_capture_on_commit_callbacks)
    assert mail.outbox[-1].subject == "Onayınızı rica ediyoruz – ZUSAMMEN. MEHR."
    client.cookies["django_language"] = "tr"
    page = client.get(link).content.decode()
    assert "Yasal veliyim" in page  # the consent text in the guardian's language
    client.post(link, {"decision": "refuse"})
    story.refresh_from_db()
    assert story.status == Story.Status.WITHDRAWN
    record = ConsentRecord.objects.get(story=story, subject="guardian")
    assert record.granted is False and record.text_language == "tr"


def test_a_forged_link_shows_a_readable_page(client: Client) -> None:
    response = client.get("/einverstaendnis/nicht-echt/")
    assert response.status_code == 404
    assert "Dieser Link ist nicht gültig" in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_guardian_page_is_accessible_in_farsi(page: Any, live_server: Any) -> None:
    import importlib

    from django.apps import apps

    from stories.links import guardian_token
    from tests.conftest import axe_violations

    for name in ("0002_seed_regions_topics_consents", "0005_consent_texts_more_languages"):
        importlib.import_module(f"stories.migrations.{name}").seed(apps, None)
    story = _minor_story_awaiting_confirmation(language="fa")
    story = story_transition(
        story_id=story.pk,
        allowed_from=["awaiting_confirmation"],
        to="in_review",
        action="test.confirm",
    )
    page.context.add_cookies([{"name": "django_language", "value": "fa", "url": live_server.url}])
    page.goto(
        f"{live_server.url}/einverstaendnis/{guardian_token(public_id=str(story.public_id))}/"
    )
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_role("button", name="موافقم").is_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="موافقم").click()
    page.get_by_text("سپاسگزاریم").wait_for()
