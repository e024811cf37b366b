"""Legal pages (editable, German fallback) and the accessibility feedback form."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.test import Client

from publishing.gallery import services
from publishing.gallery.models import AccessibilityFeedback, LegalPage

pytestmark = pytest.mark.django_db

PURPOSES = (
    "Einreichung und Moderation",
    "Verarbeitung des Videos",
    "Veröffentlichung auf YouTube",
    "E-Mails",
    "Partnermaterial und Zuordnung",
    "Sicherheit und Protokolle",
    "Speicherdauer",
)


@pytest.fixture(autouse=True)
def fresh_rate_limit(settings: Any) -> None:
    settings.GALLERY_FEEDBACK_RATE = "10000/hour"


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/impressum/", "Impressum"),
        ("/datenschutz/", "Datenschutzerklärung"),
        ("/barrierefreiheit/", "Erklärung zur Barrierefreiheit"),
        ("/leichte-sprache/", "in Leichter Sprache"),
    ],
)
def test_legal_pages_are_seeded_in_german(client: Client, path: str, heading: str) -> None:
    html = client.get(path).content.decode()
    assert heading in html
    assert "Diesen Text gibt es bisher nur auf Deutsch." not in html


def test_privacy_notice_names_every_purpose_and_the_retention_settings(
    client: Client, settings: Any
) -> None:
    settings.RETENTION_REJECTED_DAYS = 45
    html = client.get("/datenschutz/").content.decode()
    for purpose in PURPOSES:
        assert purpose in html, purpose
    assert "Abgelehnte Geschichten: 45 Tage nach der Entscheidung." in html
    assert "youtube-nocookie.com" in html


def test_a_translation_wins_and_german_is_the_fallback(client: Client) -> None:
    LegalPage.objects.create(kind="impressum", language="en", title="Legal notice", body="Hi")
    english = client.get("/impressum/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Legal notice" in english
    arabic = client.get("/impressum/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'lang="de" dir="ltr"' in arabic and "Angaben gemäß" in arabic
    assert 'dir="rtl"' in arabic  # the page around it stays right to left


def test_admin_text_is_escaped(client: Client) -> None:
    LegalPage.objects.filter(kind="impressum", language="de").update(
        body="## Kopf\n<script>alert(1)</script>\n- Punkt"
    )
    html = client.get("/impressum/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<h2>Kopf</h2>" in html and "<li>Punkt</li>" in html


def test_feedback_is_stored_and_mailed_to_campaign_admins(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    admin = User.objects.create_user(username="kampagne", email="kampagne@example.org")
    admin.groups.add(Group.objects.get_or_create(name="campaign_admin")[0])
    User.objects.create_user(username="jemand", email="jemand@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/barrierefreiheit/",
            {"message": "Der Filter ist mit dem Screenreader schwer.", "page_url": "/geschichten/"},
        )
    assert response.status_code == 302 and "gesendet=1" in response["Location"]
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.page_url == "/geschichten/"
    assert len(callbacks) == 1  # the e-mail task, after commit
    assert services.accessibility_feedback_mail(feedback_id=feedback.pk) is True
    (message,) = mail.outbox
    assert message.to == ["kampagne@example.org"]
    assert "Der Filter ist mit dem Screenreader schwer." in message.body
    assert services.accessibility_feedback_mail(feedback_id=feedback.pk) is False  # once


def test_feedback_honeypot_and_validation(client: Client) -> None:
    caught = client.post("/barrierefreiheit/", {"message": "Spam", "website": "http://spam"})
    assert caught.status_code == 302
    assert not AccessibilityFeedback.objects.exists()
    empty = client.post("/barrierefreiheit/", {"message": ""})
    assert empty.status_code == 200 and "field-error" in empty.content.decode()
    assert not AccessibilityFeedback.objects.exists()


def test_feedback_is_rate_limited(client: Client, settings: Any) -> None:
    settings.GALLERY_FEEDBACK_RATE = "2/hour"
    address = f"10.9.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    for _ in range(2):
        ok = client.post("/barrierefreiheit/", {"message": "Barriere"}, REMOTE_ADDR=address)
        assert ok.status_code == 302
    limited = client.post("/barrierefreiheit/", {"message": "Barriere"}, REMOTE_ADDR=address)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert AccessibilityFeedback.objects.count() == 2


def test_footer_and_header_link_the_gallery_and_legal_pages(client: Client) -> None:
    html = client.get("/").content.decode()
    for path in (
        "/geschichten/",
        "/impressum/",
        "/datenschutz/",
        "/barrierefreiheit/",
        "/leichte-sprache/",
    ):
        assert f'href="{path}"' in html, path
