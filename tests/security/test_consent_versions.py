"""Hole 13: the ledger records the consent text the submitter was shown, or nothing at all.

The attack (or the accident): a client shows version 1 of a consent text, the campaign
publishes version 2, and ``POST /api/v1/stories/mine/submit/`` recorded consent to version 2,
which the person never read. The submit service now requires the language and version of
every text shown and refuses a stale or missing one, for the API and the form alike.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stories import services
from stories.models import ConsentRecord, ConsentText, Region, Story, Topic
from stories.upload_tokens import story_upload_token
from stories.uploads.models import Upload
from stories.uploads.selectors import upload_token_hash

pytestmark = pytest.mark.django_db

PURPOSES = ["publication", "usage_rights", "special_categories", "people_in_video"]
STORY_FIELDS = {
    "title": "Gemeinsam stark",
    "text": "Seit zwei Jahren trainieren wir zusammen im Sportverein von Peine.",
}
PEOPLE_FIELDS = {
    "submitter_name": "Jonas Beispiel",
    "submitter_email": "jonas@example.org",
    "submitter_role": "supporter",
    "credit": "full_name",
}


def _finished_upload(story: Story) -> Upload:
    """A completed upload row as the tus endpoint leaves it (its own tests cover the bytes)."""
    return Upload.objects.create(
        owner_key=str(story.public_id),
        token_hash=upload_token_hash(story_upload_token(story=story)),
        length=10,
        offset=10,
        state=Upload.State.COMPLETED,
        storage_key=f"uploads/{uuid.uuid4()}/original",
        sniffed_type="video/mp4",
        expires_at=timezone.now() + timedelta(hours=24),
    )


def _new_version(purpose: str = "publication") -> ConsentText:
    current = ConsentText.objects.filter(purpose=purpose, language="de").order_by("-version")[0]
    return ConsentText.objects.create(
        purpose=purpose,
        version=current.version + 1,
        language="de",
        text=current.text + " Neu: auch in gedruckten Broschüren.",
    )


def _api_draft(client: Client) -> tuple[Story, dict[str, str]]:
    draft = client.post(
        "/api/v1/stories/", {"language": "de"}, content_type="application/json"
    ).json()
    auth = {"HTTP_AUTHORIZATION": f"Story {draft['token']}"}
    fields = {
        **STORY_FIELDS,
        **PEOPLE_FIELDS,
        "region_id": Region.objects.get(slug="peine").pk,
        "topic_id": Topic.objects.get(slug="ehrenamt-und-sport").pk,
    }
    assert (
        client.patch(
            "/api/v1/stories/mine/", fields, content_type="application/json", **auth
        ).status_code
        == 200
    )
    story = Story.objects.get(public_id=draft["id"])
    services.story_attach_video(story=story, upload_id=_finished_upload(story).pk)
    return story, auth


def _submit(client: Client, auth: dict[str, str], **shown: Any) -> Any:
    return client.post(
        "/api/v1/stories/mine/submit/",
        {"consents": PURPOSES, **shown},
        content_type="application/json",
        **auth,
    )


def test_the_api_refuses_consent_to_a_text_newer_than_the_one_shown(client: Client) -> None:
    story, auth = _api_draft(client)
    versions = {
        p: ConsentText.objects.filter(purpose=p, language="de").order_by("-version")[0].version
        for p in PURPOSES
    }
    newer = _new_version("publication")  # published while the person was reading

    stale = _submit(client, auth, consent_language="de", consent_versions=versions)
    assert stale.status_code == 409, stale.json()
    body = stale.json()
    assert "Einwilligungstexte wurden geändert" in body["message"]
    assert body["extra"]["stale"] == ["publication"]
    assert body["extra"]["current"]["publication"] == newer.version
    assert not ConsentRecord.objects.filter(story=story).exists()
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT

    versions["publication"] = newer.version  # shown again, agreed again
    sent = _submit(client, auth, consent_language="de", consent_versions=versions)
    assert sent.status_code == 200, sent.json()
    ledger = {r.purpose: r for r in ConsentRecord.objects.filter(story=story)}
    assert ledger["publication"].consent_text_id == newer.pk
    assert ledger["publication"].text_version == newer.version


def test_the_api_lists_the_texts_to_show_with_their_versions(client: Client) -> None:
    newer = _new_version("publication")
    texts = client.get("/api/v1/consent-texts/", {"language": "ar"}).json()
    assert sorted(t["purpose"] for t in texts) == sorted(PURPOSES)
    publication = next(t for t in texts if t["purpose"] == "publication")
    if publication["language"] == "de":  # no Arabic text yet: the German one is shown
        assert publication["version"] == newer.version and publication["text"] == newer.text


@pytest.mark.parametrize(
    "shown",
    [{}, {"consent_language": "de"}, {"consent_versions": {"publication": 1}}],
    ids=["nothing", "no-versions", "no-language"],
)
def test_the_api_refuses_a_submission_that_does_not_name_what_was_shown(
    client: Client, shown: dict[str, Any]
) -> None:
    story, auth = _api_draft(client)
    refused = _submit(client, auth, **shown)
    assert refused.status_code == 400, refused.json()
    assert "Fassung der Einwilligungstexte" in refused.json()["message"]
    assert not ConsentRecord.objects.filter(story=story).exists()


def test_the_form_refuses_a_text_that_changed_after_it_was_shown(client: Client) -> None:
    fields = {
        **STORY_FIELDS,
        "region_id": str(Region.objects.get(slug="peine").pk),
        "topic_id": str(Topic.objects.get(slug="ehrenamt-und-sport").pk),
    }
    assert client.post("/mitmachen/", fields).status_code == 302
    story = Story.objects.get()
    services.story_attach_video(story=story, upload_id=_finished_upload(story).pk)
    consents = {f"consent_{p}": "on" for p in PURPOSES}
    people = {**PEOPLE_FIELDS, "has_minor": "no", **consents}
    assert client.post("/mitmachen/personen/", people).status_code == 302
    newer = _new_version("usage_rights")

    refused = client.post("/mitmachen/pruefen/", {"go": "send"})
    assert refused.status_code == 200
    assert "Einwilligungstexte wurden geändert" in refused.content.decode()
    assert not ConsentRecord.objects.filter(story=story).exists()

    assert client.post("/mitmachen/personen/", people).status_code == 302  # read again
    sent = client.post("/mitmachen/pruefen/", {"go": "send"})
    assert sent.status_code == 302 and sent["Location"] == "/mitmachen/danke/"
    ledger = {r.purpose: r for r in ConsentRecord.objects.filter(story=story)}
    assert ledger["usage_rights"].consent_text_id == newer.pk
