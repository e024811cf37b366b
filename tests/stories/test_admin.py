"""Campaign admins edit regions, topics and consent texts; a changed text is a new version."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from stories.models import ConsentRecord, ConsentText
from stories.services import consent_record, story_create_draft

pytestmark = pytest.mark.django_db


def test_editing_a_consent_text_creates_the_next_version(client: Client) -> None:
    client.force_login(User.objects.create_superuser("ada", "ada@example.org", "x-long-pass-1"))
    text = ConsentText.objects.get(purpose="publication", language="de", version=1)
    story, _token = story_create_draft()
    agreed = consent_record(story=story, purpose="publication", granted=True, language="de")

    response = client.post(
        f"/admin/stories/consenttext/{text.pk}/change/",
        {"text": "Neue Fassung: Ich bin einverstanden …"},
    )
    assert response.status_code == 302
    versions = ConsentText.objects.filter(purpose="publication", language="de")
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]
    text.refresh_from_db()
    assert "Neue Fassung" not in text.text  # what people agreed to stays as it was
    agreed = ConsentRecord.objects.get(pk=agreed.pk)
    assert agreed.text_version == 1

    newer = consent_record(story=story, purpose="publication", granted=True, language="de")
    assert newer.text_version == 2


def test_ledger_is_read_only_in_the_admin(client: Client) -> None:
    client.force_login(User.objects.create_superuser("ada", "ada@example.org", "x-long-pass-1"))
    story, _token = story_create_draft()
    record = consent_record(story=story, purpose="publication", granted=True, language="de")
    assert client.get("/admin/stories/consentrecord/").status_code == 200
    assert client.get("/admin/stories/consentrecord/add/").status_code == 403
    response = client.post(f"/admin/stories/consentrecord/{record.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert ConsentRecord.objects.filter(pk=record.pk).exists()
    assert client.get("/admin/stories/region/").status_code == 200
