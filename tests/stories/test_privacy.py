"""Erasure (Art. 17) and access (Art. 15): services and the campaign admins' pages."""

from __future__ import annotations

import json
import secrets
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.storage import default_storage
from django.db import models
from django.test import Client

from moderation.models import InternalNote, Review
from publishing.youtube.models import Publication
from stories import privacy
from stories.audit import audit_record
from stories.links import status_token
from stories.models import AuditEntry, ConsentRecord, ConsentText, Story
from stories.services import consent_record
from stories.uploads.models import Upload
from stories.uploads.selectors import upload_working_path
from tests.gallery.conftest import make_story

pytestmark = pytest.mark.django_db

NAME = "Zyxwa Qorvenstein"
EMAIL = "zyxwa.qorvenstein@example.org"
GUARDIAN = "Ulmara Qorvenstein"
NEEDLES = ("zyxwa", "qorvenstein", "ulmara")


@pytest.fixture(autouse=True)
def work_dirs(settings: Any, tmp_path: Path) -> None:
    settings.UPLOAD_TEMP_DIR = tmp_path / "uploads"
    settings.MEDIA_WORK_DIR = tmp_path / "work"
    settings.UPLOAD_TEMP_DIR.mkdir()
    settings.MEDIA_WORK_DIR.mkdir()


@pytest.fixture
def admin(db: None) -> User:
    user = User.objects.create_user(username=f"admin-{secrets.token_hex(3)}", password="x")
    user.groups.add(Group.objects.get_or_create(name="campaign_admin")[0])
    return user


def _person_story(*, status: str = Story.Status.PUBLISHED, email: str = EMAIL) -> Story:
    """A story with the person's name in every place the product can put it."""
    ConsentText.objects.get_or_create(
        purpose=ConsentText.Purpose.PUBLICATION,
        version=1,
        language="de",
        defaults={"text": "Veröffentlichung"},
    )
    story = make_story(
        title=f"{NAME} eröffnet eine Bäckerei",
        text=f"Ich bin {NAME} und backe in Celle. Schreiben Sie mir: {email}",
        status=status,
        name=NAME,
        email=email,
    )
    Story.objects.filter(pk=story.pk).update(
        submitter_organisation=f"Bäckerei {NAME}",
        credit_pseudonym="Zyxwa",
        has_minor=True,
        guardian_name=GUARDIAN,
        guardian_email="ulmara@example.org",
        region_other="Qorvenstein-Dorf",
        partner_ref="zyxwa-privat",
        decision_reason=f"Danke, {NAME}",
    )
    story.refresh_from_db()
    consent_record(
        story=story, purpose=ConsentText.Purpose.PUBLICATION, granted=True, language="de"
    )
    audit_record(
        action="stories.story.edit_draft",
        story=story,
        comment=f"{NAME} hat geändert",
        before={"submitter_name": "", "status": "draft"},
        after={"submitter_name": NAME, "submitter_email": email},
    )
    moderator = User.objects.create_user(username=f"mod-{secrets.token_hex(3)}")
    Review.objects.create(story=story, youtube_title=NAME, youtube_tags=[NAME])
    InternalNote.objects.create(story=story, author=moderator, text=f"Rückruf bei {NAME}")
    for upload in Upload.objects.filter(owner_key=str(story.public_id)):
        path = upload_working_path(upload_id=upload.pk)
        path.write_bytes(b"part of the upload")
    for media in story.media.all():
        folder = Path(settings.MEDIA_WORK_DIR) / f"media-{media.pk}"
        folder.mkdir()
        (folder / "original").write_bytes(b"working copy")
    return story


def _texts_mentioning_the_person() -> list[str]:
    """Every text or JSON value in every row of every table that names the person."""
    found: list[str] = []
    for model in apps.get_models():
        columns = [
            c
            for c in model._meta.concrete_fields
            if isinstance(c, models.CharField | models.TextField | models.JSONField)
        ]
        if not columns:
            continue
        for row in model._default_manager.values_list(*[c.attname for c in columns]):
            for column, value in zip(columns, row, strict=True):
                text = json.dumps(value, ensure_ascii=False).lower()
                if any(needle in text for needle in NEEDLES):
                    found.append(f"{model._meta.label}.{column.name}: {text[:80]}")
    return found


def _files_of(story: Story, media_root: Path) -> list[Path]:
    keys = [p for p in media_root.rglob("*") if p.is_file() and str(story.public_id) in str(p)]
    uploads = Upload.objects.filter(owner_key=str(story.public_id)).values_list("pk", flat=True)
    for upload_id in uploads:
        keys += [p for p in (media_root / "uploads" / str(upload_id)).rglob("*") if p.is_file()]
    return keys


def test_erasure_leaves_no_file_and_no_personal_field(
    admin: User, media_root: Path, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    story = _person_story()
    other = make_story(
        title="Eine andere Geschichte", name="Andere Person", email="andere@example.org"
    )
    upload_ids = list(
        Upload.objects.filter(owner_key=str(story.public_id)).values_list("pk", flat=True)
    )
    assert _files_of(story, media_root)
    assert _texts_mentioning_the_person()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = privacy.story_erase(story=story, actor=admin, reason="Antrag per Brief")

    assert _files_of(story, media_root) == []
    assert not list(Path(settings.MEDIA_WORK_DIR).iterdir())
    assert not any(upload_working_path(upload_id=u).exists() for u in upload_ids)
    assert len(report.files_deleted) == 4  # master, preview, poster, original
    assert _texts_mentioning_the_person() == []
    story.refresh_from_db()
    assert story.status == Story.Status.ERASED
    assert story.submitter_email == "" and story.partner_ref == ""  # not a partner's code
    # The minimal proof: the consent and its withdrawal-relevant facts, the status trail.
    consent = ConsentRecord.objects.get(story=story)
    assert (consent.purpose, consent.text_version, consent.granted) == ("publication", 1, True)
    actions = list(AuditEntry.objects.filter(story=story).values_list("action", flat=True))
    assert {"stories.story.edit_draft", "stories.story.erase", "stories.privacy.erase"} <= set(
        actions
    )
    assert AuditEntry.objects.get(story=story, action="stories.privacy.erase").actor == admin
    assert Publication.objects.get(story=story).video_id  # kept to finish the takedown
    assert not Review.objects.filter(story=story).exists()
    takedown = ("workers.tasks.publish.takedown_story", story.pk)
    assert any(getattr(cb, "args", None) == takedown for cb in callbacks)
    # Someone else's story is untouched.
    other.refresh_from_db()
    assert other.submitter_name == "Andere Person" and other.status == Story.Status.PUBLISHED
    assert default_storage.exists(other.media.get().poster_key)
    # The append-only guard still holds for everyone else.
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(story=story).update(comment="x")
    # The status link no longer opens anything.
    client = Client()
    response = client.get(f"/status/{status_token(public_id=str(story.public_id))}/")
    assert response.status_code == 404


def test_a_partner_code_is_kept(admin: User) -> None:
    from publishing.partners.models import Partner

    Partner.objects.create(
        name="Verein", contact_name="K", email="v@example.org", ref_code="sportverein-celle"
    )
    story = _person_story(status=Story.Status.WITHDRAWN)
    Story.objects.filter(pk=story.pk).update(partner_ref="sportverein-celle")
    privacy.story_erase(story=story, actor=admin)
    story.refresh_from_db()
    assert story.partner_ref == "sportverein-celle"


def test_export_contains_everything_about_the_person(media_root: Path) -> None:
    first = _person_story()
    second = _person_story(status=Story.Status.REJECTED, email=EMAIL.upper())
    path = privacy.person_export(email=EMAIL)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            for story in (first, second):
                folder = f"story-{story.public_id}"
                data = json.loads(archive.read(f"{folder}/story.json"))
                assert data["submitter_name"] == NAME
                assert data["guardian_name"] == GUARDIAN
                assert "access_token_hash" not in data
                consents = json.loads(archive.read(f"{folder}/consents.json"))
                assert consents[0]["purpose"] == "publication"
                audit = json.loads(archive.read(f"{folder}/audit.json"))
                assert any(a["action"] == "stories.story.edit_draft" for a in audit)
                assert f"{folder}/related/moderation.internalnote.json" in names
                files = json.loads(archive.read(f"{folder}/files.json"))
                kinds = {name.rsplit("-", 1)[-1] for name in files}
                assert {"master.mp4", "preview.mp4", "poster.jpg", "original"} <= kinds
                for name in files:
                    assert archive.read(name)
            assert f"story-{first.public_id}/related/publishing.publication.json" in names
    finally:
        path.unlink()
    with pytest.raises(LookupError):
        privacy.person_export(email="niemand@example.org")


def test_admin_pages_find_export_and_erase(client: Client, admin: User) -> None:
    story = _person_story()
    client.force_login(admin)
    page = client.get("/moderation/datenschutz/", {"email": EMAIL.upper()})
    assert page.status_code == 200
    assert f'data-story="{story.pk}"' in page.content.decode()

    export = client.post("/moderation/datenschutz/auskunft/", {"email": EMAIL})
    assert export.status_code == 200 and export["Content-Type"] == "application/zip"
    body = b"".join(export.streaming_content)  # type: ignore[attr-defined]
    assert body[:2] == b"PK"
    assert AuditEntry.objects.filter(story=story, action="stories.privacy.export").exists()

    refused = client.post(f"/moderation/datenschutz/loeschen/{story.pk}/", {})
    assert refused.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
    erased = client.post(f"/moderation/datenschutz/loeschen/{story.pk}/", {"confirm": "yes"})
    assert erased.status_code == 302
    story.refresh_from_db()
    assert story.status == Story.Status.ERASED


def test_only_campaign_admins_reach_the_pages(client: Client) -> None:
    story = _person_story()
    moderator = User.objects.create_user(username="moderatorin", password="x", is_staff=True)
    moderator.groups.add(Group.objects.get_or_create(name="moderator")[0])
    assert client.get("/moderation/datenschutz/").status_code == 302  # to the login
    client.force_login(moderator)
    assert client.get("/moderation/datenschutz/", {"email": EMAIL}).status_code == 403
    assert client.post("/moderation/datenschutz/auskunft/", {"email": EMAIL}).status_code == 403
    response = client.post(f"/moderation/datenschutz/loeschen/{story.pk}/", {"confirm": "yes"})
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
