"""The submission flow through the API: draft, video, consent ledger, opt-in, withdrawal."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from stories.models import AuditEntry, ConsentRecord, Region, Story, StoryMedia, Topic
from stories.uploads.models import Upload

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


def _auth(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Story {token}"}


def _draft(client: Client) -> dict[str, Any]:
    response = client.post(
        "/api/v1/stories/",
        {"language": "de", "ref": "kirche-celle"},
        content_type="application/json",
    )
    assert response.status_code == 201
    return response.json()


def _fake_finished_video(story: Story) -> Upload:
    """A completed upload row as the tus endpoint leaves it (its own tests cover the bytes)."""
    from datetime import timedelta

    from django.utils import timezone

    from stories.upload_tokens import story_upload_token
    from stories.uploads.selectors import upload_token_hash

    return Upload.objects.create(
        owner_key=str(story.public_id),
        token_hash=upload_token_hash(story_upload_token(story=story)),
        length=10,
        offset=10,
        state=Upload.State.COMPLETED,
        storage_key="uploads/x/original",
        sniffed_type="video/mp4",
        expires_at=timezone.now() + timedelta(hours=24),
    )


def test_whole_flow_with_double_opt_in(
    client: Client, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    draft = _draft(client)
    token = draft["token"]
    story = Story.objects.get(public_id=draft["id"])
    assert story.partner_ref == "kirche-celle"

    fields = {
        "title": f"Vom Praktikum zur Meisterin {HOSTILE}",
        "text": "Amina kam 2016 nach Celle. Heute leitet sie eine Werkstatt und bildet aus. "
        + HOSTILE,
        "region_id": Region.objects.get(slug="celle").pk,
        "topic_id": Topic.objects.get(slug="arbeit-und-ausbildung").pk,
        "submitter_name": "Amina Beispiel",
        "submitter_email": "amina@example.org",
        "submitter_role": "person",
        "credit": "first_name",
    }
    response = client.patch(
        "/api/v1/stories/mine/", fields, content_type="application/json", **_auth(token)
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"].endswith(HOSTILE)  # stored as given

    # Submitting without a video or consents names exactly what is missing.
    response = client.post(
        "/api/v1/stories/mine/submit/",
        {"consents": []},
        content_type="application/json",
        **_auth(token),
    )
    assert response.status_code == 400
    missing = response.json()["extra"]["fields"]
    assert set(missing) == {"video", "consents"}
    assert missing["video"] == ["Bitte laden Sie ein Video hoch."]

    upload = _fake_finished_video(story)
    with django_capture_on_commit_callbacks() as enqueued:
        response = client.post(
            "/api/v1/stories/mine/video/",
            {"upload_id": str(upload.pk)},
            content_type="application/json",
            **_auth(token),
        )
    assert response.status_code == 200
    assert response.json()["video_state"] == "waiting"
    assert len(enqueued) == 1  # processing is queued after commit, not before

    consents = ["publication", "usage_rights", "special_categories", "people_in_video"]
    # The client shows the current texts and names the versions it showed.
    texts = client.get("/api/v1/consent-texts/", {"language": "de"}).json()
    assert sorted(t["purpose"] for t in texts) == sorted(consents)
    shown = {
        "consent_language": "de",
        "consent_versions": {t["purpose"]: t["version"] for t in texts},
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/stories/mine/submit/",
            {"consents": consents, **shown},
            content_type="application/json",
            **_auth(token),
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "awaiting_confirmation"
    ledger = ConsentRecord.objects.filter(story=story)
    assert sorted(ledger.values_list("purpose", flat=True)) == sorted(consents)
    assert all(r.text_version == 1 and r.text_language == "de" and r.granted for r in ledger)

    # The e-mail is sent by the worker in production; here the task function runs directly.
    from stories.notifications import confirmation_send

    assert confirmation_send(story_id=story.pk)
    message = mail.outbox[-1]
    assert message.to == ["amina@example.org"]
    confirm_path = re.search(r"https?://[^/]+(/bestaetigen/\S+/)", message.body).group(1)
    status_path = re.search(r"https?://[^/]+(/status/\S+/)", message.body).group(1)

    page = client.get(status_path)
    assert "Bitte bestätigen Sie noch Ihre E-Mail-Adresse" in page.content.decode()
    assert HOSTILE not in page.content.decode()  # rendered escaped
    assert "&lt;script&gt;" in page.content.decode()

    assert client.get(confirm_path).status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.IN_REVIEW and story.email_confirmed_at
    client.get(confirm_path)  # a second click changes nothing
    assert AuditEntry.objects.filter(story=story, action="stories.story.confirm_email").count() == 1

    page = client.post(status_path, {"action": "withdraw", "confirm": "yes"})
    assert page.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.WITHDRAWN
    assert ConsentRecord.objects.filter(story=story, granted=False).count() == 1
    assert "Sie haben Ihre Einwilligung widerrufen" in client.get(status_path).content.decode()


def test_wrong_token_and_foreign_upload_are_refused(client: Client) -> None:
    mine, other = _draft(client), _draft(client)
    response = client.get("/api/v1/stories/mine/", **_auth("nope"))
    assert response.status_code in (401, 403)
    assert "Schlüssel" in response.json()["message"]
    foreign = _fake_finished_video(Story.objects.get(public_id=other["id"]))
    response = client.post(
        "/api/v1/stories/mine/video/",
        {"upload_id": str(foreign.pk)},
        content_type="application/json",
        **_auth(mine["token"]),
    )
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["video"] == [
        "Diese Datei gehört nicht zu Ihrer Geschichte."
    ]
    assert not StoryMedia.objects.exists()


def test_overlong_story_gets_a_clear_message_and_keeps_the_rest(client: Client) -> None:
    draft = _draft(client)
    client.patch(
        "/api/v1/stories/mine/",
        {"title": "Mein Titel"},
        content_type="application/json",
        **_auth(draft["token"]),
    )
    response = client.patch(
        "/api/v1/stories/mine/",
        {"text": "x" * 100_000},
        content_type="application/json",
        **_auth(draft["token"]),
    )
    assert response.status_code == 400
    assert "höchstens 5000 Zeichen" in response.json()["extra"]["fields"]["text"][0]
    assert client.get("/api/v1/stories/mine/", **_auth(draft["token"])).json()["title"] == (
        "Mein Titel"
    )


def test_ledger_and_audit_cannot_be_changed() -> None:
    from stories.services import consent_record, story_create_draft

    story, _ = story_create_draft()
    record = consent_record(story=story, purpose="publication", granted=True, language="de")
    record.granted = False
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        ConsentRecord.objects.filter(pk=record.pk).update(granted=False)
    with pytest.raises(PermissionError):
        ConsentRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(story=story).delete()


def test_withdrawal_queues_the_takedown_and_the_partner_notice(
    client: Client, django_capture_on_commit_callbacks: Any, redis_server: Any
) -> None:
    import json

    from stories.services import story_withdraw

    redis_server.client().delete("publish", "default")
    draft = _draft(client)
    story = Story.objects.get(public_id=draft["id"])
    with django_capture_on_commit_callbacks(execute=True):
        story_withdraw(story=story)
    queued = {
        json.loads(raw)["headers"]["task"]: json.loads(raw)["headers"]["argsrepr"]
        for queue in ("publish", "default")
        for raw in redis_server.client().lrange(queue, 0, -1)
    }
    assert queued["workers.tasks.publish.takedown_story"] == f"[{story.pk}]"
    assert queued["workers.tasks.retention.notify_partners_of_withdrawal"] == f"[{story.pk}]"


def test_an_attached_video_cannot_be_deleted_over_tus(client: Client) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    draft = _draft(client)
    story = Story.objects.get(public_id=draft["id"])
    upload = _fake_finished_video(story)
    key = default_storage.save(upload.storage_key, ContentFile(b"video bytes"))
    Upload.objects.filter(pk=upload.pk).update(storage_key=key)
    client.post(
        "/api/v1/stories/mine/video/",
        {"upload_id": str(upload.pk)},
        content_type="application/json",
        **_auth(draft["token"]),
    )
    response = client.delete(
        f"/api/v1/uploads/{upload.pk}",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_TOKEN=draft["upload_token"],
    )
    assert response.status_code == 409
    assert default_storage.exists(key)
    upload.refresh_from_db()
    assert upload.state == Upload.State.COMPLETED
