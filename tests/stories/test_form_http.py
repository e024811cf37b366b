"""The submission form over plain HTTP: every step without JavaScript, honeypot, rate limits."""

from __future__ import annotations

import importlib
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.test import Client

from stories.models import ConsentRecord, Region, Story, StoryMedia, Topic
from stories.uploads.models import Upload
from workers.media.samples import make_clip

pytestmark = pytest.mark.django_db

CONSENTS = {
    "consent_publication": "on",
    "consent_usage_rights": "on",
    "consent_special_categories": "on",
    "consent_people_in_video": "on",
}


def seed() -> None:
    """The data migration's regions, topics and consent texts (a flush removes them)."""
    module = importlib.import_module("stories.migrations.0002_seed_regions_topics_consents")
    module.seed(django_apps, None)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(
        tmp_path_factory.mktemp("form") / "IMG_0042.mp4", width=320, height=240, duration_s=2
    )


@pytest.fixture
def client_ip() -> str:
    """A fresh address per test, so rate-limit windows in the shared Redis never collide."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def _story_fields() -> dict[str, str]:
    return {
        "title": "Gemeinsam stark",
        "text": "Seit zwei Jahren trainieren wir zusammen im Sportverein von Peine.",
        "region_id": str(Region.objects.get(slug="peine").pk),
        "topic_id": str(Topic.objects.get(slug="ehrenamt-und-sport").pk),
    }


def _people_fields() -> dict[str, str]:
    return {
        "submitter_name": "Jonas Beispiel",
        "submitter_email": "jonas@example.org",
        "submitter_role": "supporter",
        "credit": "full_name",
        "has_minor": "no",
        **CONSENTS,
    }


@pytest.mark.django_db(transaction=True)
def test_the_whole_form_works_without_javascript(clip: Path, client_ip: str) -> None:
    """Transactional: the upload's completion hook runs on commit, as in production."""
    seed()
    client = Client(REMOTE_ADDR=client_ip)  # its own rate-limit windows
    response = client.get("/mitmachen/?ref=tafel-peine")
    assert response.status_code == 200
    response = client.post("/mitmachen/", _story_fields())
    assert response.status_code == 302 and response["Location"] == "/mitmachen/video/"
    story = Story.objects.get()
    assert story.partner_ref == "tafel-peine"
    assert client.session["zm_form_story"] == str(story.public_id)

    # The plain file POST goes through the same upload services as tus.
    with clip.open("rb") as video:
        response = client.post("/mitmachen/video/", {"video_language": "de", "video": video})
    assert response.status_code == 302, response.content.decode()[:2000]
    upload = Upload.objects.get(owner_key=str(story.public_id))
    assert upload.state == Upload.State.COMPLETED
    assert upload.offset == upload.length == clip.stat().st_size
    assert upload.metadata["filename"] == "IMG_0042.mp4"
    assert StoryMedia.objects.get(story=story, is_current=True).upload_id == upload.pk

    response = client.post("/mitmachen/personen/", _people_fields())
    assert response.status_code == 302 and response["Location"] == "/mitmachen/pruefen/"
    response = client.get("/mitmachen/pruefen/")
    assert "IMG_0042.mp4" in response.content.decode()

    response = client.post("/mitmachen/pruefen/", {"go": "send"})
    assert response.status_code == 302 and response["Location"] == "/mitmachen/danke/"
    story.refresh_from_db()
    assert story.status == Story.Status.AWAITING_CONFIRMATION
    assert ConsentRecord.objects.filter(story=story, granted=True).count() == 4
    assert "zm_form_token" not in client.session
    page = client.get("/mitmachen/danke/").content.decode()
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in page
    assert "jonas@example.org" in page
    # A new visit starts a new draft instead of editing the sent story.
    assert 'value="Gemeinsam stark"' not in client.get("/mitmachen/").content.decode()


def test_missing_fields_are_listed_and_typed_values_kept(client: Client) -> None:
    response = client.post("/mitmachen/", {"title": "Nur ein Titel", "text": "zu kurz"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html and 'href="#id_region_id"' in html
    assert "mindestens 40 Zeichen" in html
    assert 'value="Nur ein Titel"' in html
    assert 'aria-invalid="true" aria-describedby="id_text-hint id_text-error id_text-count"' in html
    assert Story.objects.get().title == "Nur ein Titel"  # saved even though incomplete


def test_an_over_long_story_keeps_the_other_fields(client: Client) -> None:
    fields = {**_story_fields(), "text": "x" * 100_000}
    html = client.post("/mitmachen/", fields).content.decode()
    assert "Die Geschichte darf höchstens 5000 Zeichen lang sein (jetzt: 100000)." in html
    story = Story.objects.get()
    assert story.title == "Gemeinsam stark" and story.region is not None  # the rest is saved
    assert story.text == ""


def test_the_form_speaks_the_visitors_language(client: Client) -> None:
    html = client.get("/mitmachen/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'dir="rtl"' in html and "عنوان داستان شما" in html
    html = client.get("/mitmachen/leichte-sprache/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Sie schreiben ein paar Sätze." in html


def test_a_filled_honeypot_silently_creates_nothing(client: Client, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="stories.abuse")
    response = client.post("/mitmachen/", {**_story_fields(), "website": "http://spam.example"})
    assert response.status_code == 302  # looks like success to the bot
    assert Story.objects.count() == 0
    assert "honeypot" in caplog.text


def test_a_filled_honeypot_on_sending_sends_nothing(client: Client) -> None:
    client.post("/mitmachen/", _story_fields())
    client.post("/mitmachen/personen/", _people_fields())
    response = client.post("/mitmachen/pruefen/", {"go": "send", "website": "x"})
    assert response.status_code == 302 and response["Location"] == "/mitmachen/danke/"
    assert Story.objects.get().status == Story.Status.DRAFT
    assert ConsentRecord.objects.count() == 0


def test_the_honeypot_is_hidden_from_people_but_labelled(client: Client) -> None:
    html = client.get("/mitmachen/").content.decode()
    assert '<div class="hp-field">' in html
    assert '<label for="id_website">Bitte lassen Sie dieses Feld leer.</label>' in html
    assert 'name="website" tabindex="-1" autocomplete="off"' in html


def test_draft_creation_is_rate_limited_per_address(settings: Any, client_ip: str) -> None:
    settings.FORM_DRAFT_RATE = "2/hour"
    for _ in range(2):
        response = Client(REMOTE_ADDR=client_ip).post("/mitmachen/", _story_fields())
        assert response.status_code == 302
    response = Client(REMOTE_ADDR=client_ip).post("/mitmachen/", _story_fields())
    assert response.status_code == 429
    html = response.content.decode()
    assert "Bitte versuchen Sie es in" in html and 'value="Gemeinsam stark"' in html
    assert Story.objects.count() == 2
    # Another address is not affected.
    assert Client(REMOTE_ADDR="192.0.2.77").post("/mitmachen/", _story_fields()).status_code == 302


def test_sending_is_rate_limited_per_address(settings: Any, client_ip: str) -> None:
    settings.FORM_SUBMIT_RATE = "1/hour"
    client = Client(REMOTE_ADDR=client_ip)
    client.post("/mitmachen/", _story_fields())
    client.post("/mitmachen/personen/", _people_fields())
    first = client.post("/mitmachen/pruefen/", {"go": "send"})
    assert first.status_code == 200  # refused for the missing video, but counted
    assert "Bitte laden Sie ein Video hoch." in first.content.decode()
    second = client.post("/mitmachen/pruefen/", {"go": "send"})
    assert second.status_code == 429
    assert Story.objects.get().status == Story.Status.DRAFT


def test_the_rate_limit_fails_open_when_redis_is_down(
    settings: Any, client_ip: str, caplog: Any
) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
    response = Client(REMOTE_ADDR=client_ip).post("/mitmachen/", _story_fields())
    assert response.status_code == 302
    assert Story.objects.count() == 1
    assert "rate limit form-draft not enforced" in caplog.text


def test_later_steps_without_a_draft_go_back_to_the_start(client: Client) -> None:
    for url in ("/mitmachen/video/", "/mitmachen/personen/", "/mitmachen/pruefen/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/mitmachen/"
    assert client.get("/mitmachen/video/zustand/").status_code == 404
    assert client.get("/mitmachen/danke/").status_code == 302


def test_photos_and_subtitles_without_javascript(client_ip: str) -> None:
    import io

    from PIL import Image

    from stories.models import StoryPhoto, StorySubtitle

    seed()
    client = Client(REMOTE_ADDR=client_ip)
    client.post("/mitmachen/", _story_fields())
    story = Story.objects.get()

    def photo(name: str) -> io.BytesIO:
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), "blue").save(buffer, "PNG")
        buffer.seek(0)
        buffer.name = name
        return buffer

    srt = io.BytesIO(b"1\n00:00:01,000 --> 00:00:02,000\nHallo\n")
    srt.name = "subs.srt"
    response = client.post(
        "/mitmachen/video/",
        {
            "video_language": "de",
            "photos": [photo("a.png"), photo("b.png")],
            "subtitles": srt,
            "subtitle_language": "de",
        },
    )
    # No video yet: the step asks for one, but the photos and subtitles are kept.
    assert response.status_code == 200
    assert "Bitte laden Sie ein Video hoch." in response.content.decode()
    assert StoryPhoto.objects.filter(story=story).count() == 2
    assert StorySubtitle.objects.get(story=story).cue_count == 1
    page = client.get("/mitmachen/video/").content.decode()
    assert "Foto 2 (64 × 48 Pixel)" in page

    first = StoryPhoto.objects.filter(story=story).first()
    assert first is not None
    response = client.post("/mitmachen/video/", {"remove_photo": str(first.pk)})
    assert response.status_code == 302
    assert StoryPhoto.objects.filter(story=story).count() == 1

    broken = io.BytesIO(b"kein Untertitel")
    broken.name = "x.srt"
    response = client.post(
        "/mitmachen/video/",
        {"video_language": "de", "subtitles": broken, "subtitle_language": "de"},
    )
    assert "keine Untertitel-Datei" in response.content.decode()


def test_sending_an_incomplete_draft_names_each_missing_field(client: Client) -> None:
    """Step 4 once said "Bitte füllen Sie dieses Feld aus." five times, naming nothing."""
    client.post("/mitmachen/", {"title": "Gemeinsam stark"})
    response = client.post("/mitmachen/pruefen/", {"go": "send"})
    assert response.status_code == 200
    import re

    summary = re.search(r"data-error-summary.*?</div>", response.content.decode(), re.S)
    assert summary is not None
    items = re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', summary.group(0), re.S)
    texts = [text.strip() for _href, text in items]
    assert len(texts) == len(set(texts)), texts  # no message twice
    for label in ("Geschichte", "Region", "Thema", "Video", "Name", "E-Mail", "Einwilligungen"):
        assert any(label in text.split(": ", 1)[0] for text in texts), (label, texts)
    assert all("#id_" in href for href, _text in items)
