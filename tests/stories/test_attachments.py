"""Optional photos and subtitles through the API: cleaned on arrival, clear refusals."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from stories.models import AuditEntry, Story, StoryPhoto, StorySubtitle

pytestmark = pytest.mark.django_db

SRT = (
    "1\r\n00:00:01,000 --> 00:00:03,500\r\nIch heiße <b>Amina</b>.\r\n\r\n"
    "2\r\n00:00:04,000 --> 00:00:06,000\r\n<script>alert(1)</script>Ich arbeite in Celle.\r\n"
).encode()


def _draft(client: Client) -> tuple[dict[str, str], Story]:
    body = client.post("/api/v1/stories/", {}, content_type="application/json").json()
    return {"HTTP_AUTHORIZATION": f"Story {body['token']}"}, Story.objects.get(public_id=body["id"])


def _jpeg_with_gps_rotated() -> io.BytesIO:
    """A landscape-stored JPEG whose EXIF says 'rotate 90°' and carries a GPS position."""
    image = Image.new("RGB", (400, 200), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "Apple"
    gps = exif.get_ifd(0x8825)
    gps[2] = (52.0, 22.0, 33.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    buffer.seek(0)
    buffer.name = "IMG_0007.JPG"
    return buffer


def test_photo_is_stored_upright_without_exif(client: Client) -> None:
    auth, story = _draft(client)
    response = client.post(
        "/api/v1/stories/mine/photos/", {"photo": _jpeg_with_gps_rotated()}, **auth
    )
    assert response.status_code == 201, response.json()
    assert response.json()["width"] == 200 and response.json()["height"] == 400
    photo = StoryPhoto.objects.get(story=story)
    assert "IMG_0007" not in photo.storage_key
    with default_storage.open(photo.storage_key, "rb") as fh, Image.open(fh) as stored:
        assert stored.size == (200, 400)
        assert len(stored.getexif()) == 0
    assert AuditEntry.objects.filter(story=story, action="stories.photo.add").count() == 1


def test_no_more_than_five_photos_and_no_fake_images(client: Client) -> None:
    auth, _story = _draft(client)
    for _ in range(5):
        assert (
            client.post(
                "/api/v1/stories/mine/photos/", {"photo": _jpeg_with_gps_rotated()}, **auth
            ).status_code
            == 201
        )
    sixth = client.post("/api/v1/stories/mine/photos/", {"photo": _jpeg_with_gps_rotated()}, **auth)
    assert sixth.status_code == 400
    assert sixth.json()["extra"]["fields"]["photos"] == ["Sie können höchstens 5 Fotos hinzufügen."]

    auth2, _story2 = _draft(client)
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "foto.jpg"
    refused = client.post("/api/v1/stories/mine/photos/", {"photo": fake}, **auth2)
    assert refused.status_code == 400
    assert refused.json()["extra"]["fields"]["photos"] == [
        "Die Datei ist kein Foto (JPEG, PNG oder WebP)."
    ]


def test_photo_bomb_is_refused_without_decoding(client: Client) -> None:
    auth, _story = _draft(client)
    # A 20000×20000 PNG compresses to almost nothing but would need 1.2 GB decoded.
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "bomb.png"
    refused = client.post("/api/v1/stories/mine/photos/", {"photo": buffer}, **auth)
    assert refused.status_code == 400
    assert "zu groß" in refused.json()["extra"]["fields"]["photos"][0]


def test_srt_becomes_clean_webvtt_and_replaces_the_old_file(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    auth, story = _draft(client)
    upload = io.BytesIO(SRT)
    upload.name = "untertitel.srt"
    response = client.put(
        "/api/v1/stories/mine/subtitles/",
        data=_multipart({"language": "de"}, {"file": ("untertitel.srt", SRT)}),
        content_type="multipart/form-data; boundary=BOUNDARY",
        **auth,
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"language": "de", "cue_count": 2}
    subtitle = StorySubtitle.objects.get(story=story)
    with default_storage.open(subtitle.storage_key, "rb") as fh:
        vtt = fh.read().decode()
    assert vtt == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\nIch heiße Amina.\n\n"
        "00:00:04.000 --> 00:00:06.000\nalert(1)Ich arbeite in Celle.\n"
    )
    first_key = subtitle.storage_key
    vtt_upload = b"WEBVTT\n\n00:01.000 --> 00:02.000\nHallo\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.put(
            "/api/v1/stories/mine/subtitles/",
            data=_multipart({"language": "ar"}, {"file": ("a.vtt", vtt_upload)}),
            content_type="multipart/form-data; boundary=BOUNDARY",
            **auth,
        )
    subtitle.refresh_from_db()
    assert subtitle.language == "ar" and subtitle.cue_count == 1
    assert not default_storage.exists(first_key)


def test_a_file_that_is_not_subtitles_is_refused(client: Client) -> None:
    auth, _story = _draft(client)
    response = client.put(
        "/api/v1/stories/mine/subtitles/",
        data=_multipart({"language": "de"}, {"file": ("x.srt", b"\x89PNG\r\n\x1a\n\x00\x00")}),
        content_type="multipart/form-data; boundary=BOUNDARY",
        **auth,
    )
    assert response.status_code == 400
    assert "keine Untertitel-Datei" in response.json()["extra"]["fields"]["subtitles"][0]


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> bytes:
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--BOUNDARY\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--BOUNDARY\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + b"--BOUNDARY--\r\n"


def test_parser_handles_hostile_and_odd_input() -> None:
    from stories import subtitles

    with pytest.raises(subtitles.SubtitleError):
        subtitles.parse(b"")
    with pytest.raises(subtitles.SubtitleError):
        subtitles.parse(b"x" * (subtitles.MAX_BYTES + 1))
    cues = subtitles.parse(
        "1\n00:00:02,000 --> 00:00:01,000\nrückwärts\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nÖl --> Wasser\n".encode("cp1252")
    )
    assert [c.text for c in cues] == ["Öl --> Wasser"]
    assert "Öl → Wasser" in subtitles.to_webvtt(cues)
