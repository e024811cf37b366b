"""Hole 3: a legal page may show only the named campaign settings, never any other setting.

The attack: a campaign admin (or whoever can edit a legal page) writes ``[[SECRET_KEY]]`` or a
credential's name into the Impressum, and every anonymous visitor reads its value.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from publishing.gallery.models import LegalPage

pytestmark = pytest.mark.django_db

SECRET_NAMES = ("SECRET_KEY", "YOUTUBE_CLIENT_SECRET", "DATABASES", "REDIS_URL", "EMAIL_HOST")


@pytest.fixture
def secrets_in_settings(settings: Any) -> dict[str, str]:
    settings.SECRET_KEY = "s3cret-key-for-the-test-0123456789abcdef0123456789"
    settings.YOUTUBE_CLIENT_SECRET = "yt-client-secret-for-the-test"
    settings.REDIS_URL = "redis://:redis-password-for-the-test@127.0.0.1:1/0"
    settings.EMAIL_HOST = "mail-host-for-the-test.invalid"
    return {
        "SECRET_KEY": settings.SECRET_KEY,
        "YOUTUBE_CLIENT_SECRET": settings.YOUTUBE_CLIENT_SECRET,
        "REDIS_URL": "redis-password-for-the-test",
        "EMAIL_HOST": settings.EMAIL_HOST,
        "DATABASES": str(settings.DATABASES["default"]["NAME"]),
    }


def test_an_impressum_naming_settings_shows_none_of_their_values(
    client: Client, secrets_in_settings: dict[str, str], settings: Any
) -> None:
    settings.CAMPAIGN_ALLIANCE = "Bündnis für den Test"
    body = "\n".join(f"{name}: [[{name}]]" for name in SECRET_NAMES)
    LegalPage.objects.filter(kind="impressum", language="de").update(
        body=f"## Kontakt\nTräger: [[CAMPAIGN_ALLIANCE]]\n{body}\nklein: [[secret_key]]"
    )
    html = client.get("/impressum/").content.decode()
    for name, value in secrets_in_settings.items():
        assert value not in html, f"{name} leaked onto the public Impressum"
        assert f"[[{name}]]" in html  # unknown placeholders stay as typed
    assert "Träger: Bündnis für den Test" in html  # the allow-listed ones still work


def test_the_seeded_privacy_notice_still_shows_its_retention_periods(
    client: Client, settings: Any
) -> None:
    settings.UPLOAD_EXPIRY_HOURS = 36
    settings.RETENTION_UNCONFIRMED_DAYS = 9
    settings.GALLERY_FEEDBACK_RETENTION_DAYS = 200
    html = client.get("/datenschutz/").content.decode()
    assert "Unvollständige Uploads: nach 36 Stunden." in html
    assert "nach 9 Tagen." in html and "nach 200 Tagen." in html
    assert "[[" not in html


def test_the_admin_form_refuses_an_unknown_placeholder(client: Client) -> None:
    admin = User.objects.create_superuser("ada", password="x-long-password-1")
    client.force_login(admin)
    page = LegalPage.objects.get(kind="impressum", language="de")
    url = f"/admin/gallery/legalpage/{page.pk}/change/"
    assert client.get(url).status_code == 200
    form = {"kind": "impressum", "language": "de", "title": "Impressum"}
    refused = client.post(url, {**form, "body": "Schlüssel: [[SECRET_KEY]]"})
    assert refused.status_code == 200  # the form again, with the error
    text = refused.content.decode()
    assert "Diese Platzhalter gibt es nicht: [[SECRET_KEY]]" in text
    assert "[[CAMPAIGN_NAME]]" in text  # the message names what is allowed
    page.refresh_from_db()
    assert "SECRET_KEY" not in page.body
    accepted = client.post(url, {**form, "body": "Kampagne [[CAMPAIGN_NAME]]"})
    assert accepted.status_code == 302
    page.refresh_from_db()
    assert page.body == "Kampagne [[CAMPAIGN_NAME]]"
