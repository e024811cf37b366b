"""A whole publication, takedown, metadata, OAuth and the stand-in's wire protocol."""

from __future__ import annotations

import datetime as dt
import os
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import requests

from publishing.youtube.api import (
    PublishRejected,
    QuotaPolicy,
    ReconnectRequired,
    VideoNotFound,
    add_to_playlist,
    authorization_url,
    build_youtube,
    client_config_for,
    compose_metadata,
    cost_of,
    ensure_playlist,
    exchange_code,
    get_processing_status,
    get_video,
    insert_caption,
    metadata_problems,
    next_reset,
    resumable_upload,
    set_thumbnail,
    takedown,
)

from .conftest import CHUNK, REFRESH_TOKEN, Recorder, Standin, sha256

STORY = "Aylin kam 2015 nach Leipzig. Heute leitet sie eine Station im Klinikum. " * 3


def story_metadata(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Aylin: vom Sprachkurs zur Stationsleitung",
        "story_text": STORY,
        "credit": "Erzählt von Aylin K., gefilmt von Jonas M.",
        "campaign_text": "ZUSAMMEN. MEHR. sammelt Geschichten gelungener Integration.",
        "links": ["https://example.org/zusammen-mehr"],
        "hashtags": ["ZusammenMehr", "#Integration"],
        "tags": ["Integration", "Pflege", "Leipzig"],
        "language": "de",
    }
    fields.update(overrides)
    return compose_metadata(**fields)


def publish(youtube: Any, path: Path, recorder: Recorder, body: dict[str, Any]) -> dict[str, Any]:
    return resumable_upload(
        youtube=youtube,
        file_path=path,
        body=body,
        state=None,
        save_state=recorder.save_state,
        chunk_size=CHUNK,
        sleep=recorder.sleep,
        record_call=recorder.record_call,
    )


def wait_for_processing(youtube: Any, video_id: str, recorder: Recorder) -> tuple[str, str]:
    deadline = time.monotonic() + 10
    while True:
        state, detail = get_processing_status(
            youtube=youtube, video_id=video_id, record_call=recorder.record_call
        )
        if state != "processing" or time.monotonic() > deadline:
            return state, detail
        time.sleep(0.1)


def test_full_publication(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder, tmp_path: Path
) -> None:
    thumbnail = tmp_path / "thumb.jpg"
    thumbnail.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(20_000))
    captions = tmp_path / "de.vtt"
    captions.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nIch heiße Aylin.\n", "utf-8")
    record = recorder.record_call

    video = publish(youtube, video_file, recorder, story_metadata())
    video_id = video["id"]
    set_thumbnail(youtube=youtube, video_id=video_id, image_path=thumbnail, record_call=record)
    caption_id = insert_caption(
        youtube=youtube,
        video_id=video_id,
        caption_path=captions,
        language="de",
        name="Deutsch",
        record_call=record,
    )
    stories = ensure_playlist(youtube=youtube, title="Geschichten", record_call=record)
    care = ensure_playlist(youtube=youtube, title="Pflege", record_call=record)
    assert ensure_playlist(youtube=youtube, title="Geschichten", record_call=record) == stories
    first = add_to_playlist(
        youtube=youtube, playlist_id=stories, video_id=video_id, record_call=record
    )
    add_to_playlist(youtube=youtube, playlist_id=care, video_id=video_id, record_call=record)
    again = add_to_playlist(
        youtube=youtube, playlist_id=stories, video_id=video_id, record_call=record
    )

    assert again == first  # a retried task does not add the video twice
    assert wait_for_processing(youtube, video_id, recorder) == ("succeeded", "")
    state = standin.state()
    published = state["videos"][video_id]
    assert published["title"] == "Aylin: vom Sprachkurs zur Stationsleitung"
    assert sorted(published["playlists"]) == sorted([stories, care])
    assert published["captions"] == [caption_id]
    assert published["has_thumbnail"]
    assert state["counters"]["videos_created"] == 1
    assert sha256(standin.stored_video(video_id)) == sha256(video_file)
    assert (standin.data_dir / "videos" / video_id / "resource.json").exists()
    resource = get_video(youtube=youtube, video_id=video_id)
    assert resource["snippet"]["categoryId"] == "29"
    assert resource["snippet"]["defaultLanguage"] == "de"
    assert resource["status"]["selfDeclaredMadeForKids"] is False
    # What the library reported is what the stand-in booked, call for call.
    assert sum(cost for _, cost in recorder.calls) == state["quota"]["units"]
    assert ("playlists.insert", 50) in recorder.calls
    assert [method for method, _ in recorder.calls].count("playlists.insert") == 2


def test_processing_failure_and_rejection_are_reported(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder
) -> None:
    standin.faults(processing="failed", processing_seconds=0)
    failed = publish(youtube, video_file, recorder, story_metadata())
    standin.faults(processing="rejected", processing_seconds=0)
    rejected = publish(youtube, video_file, recorder, story_metadata())

    assert wait_for_processing(youtube, failed["id"], recorder)[0] == "failed"
    assert wait_for_processing(youtube, rejected["id"], recorder) == ("rejected", "duplicate")


@pytest.mark.parametrize("mode", ["private", "delete"])
def test_takedown_after_publication(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder, mode: str
) -> None:
    body = story_metadata(privacy="public")
    video_id = publish(youtube, video_file, recorder, body)["id"]
    playlist = ensure_playlist(youtube=youtube, title="Geschichten")
    add_to_playlist(youtube=youtube, playlist_id=playlist, video_id=video_id)

    takedown(youtube=youtube, video_id=video_id, mode=mode)  # type: ignore[arg-type]

    state = standin.state()
    if mode == "private":
        assert state["videos"][video_id]["privacyStatus"] == "private"
        assert state["videos"][video_id]["playlists"] == []
        assert get_video(youtube=youtube, video_id=video_id)["snippet"]["title"]
    else:
        assert video_id not in state["videos"]
        with pytest.raises(VideoNotFound):
            get_processing_status(youtube=youtube, video_id=video_id)
        items = youtube.playlistItems().list(part="id", playlistId=playlist, videoId=video_id)
        assert items.execute()["items"] == []
    takedown(youtube=youtube, video_id=video_id, mode="delete")  # idempotent


def test_compose_metadata_fixes_what_youtube_would_refuse(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder
) -> None:
    long_title = "Von Aleppo nach Chemnitz und weiter " * 5  # 180 characters
    long_title = long_title[:150]
    story = "Sie sagte <genug> und fing an. " + "Ärztin in Ausbildung, Übersetzerin. " * 200
    raw = {
        "snippet": {"title": long_title, "description": story, "categoryId": "29"},
        "status": {"privacyStatus": "private"},
    }
    refusals = []
    for snippet in (
        {"title": long_title},
        {"title": "Kurz", "description": "a < b"},
        {"title": "Kurz", "description": "ö" * 3000},  # 6000 bytes
        {"title": "Kurz", "tags": [f"tag nummer {n}" for n in range(60)]},
        {"title": "Kurz", "categoryId": "99"},
    ):
        body = {"snippet": {"categoryId": "29", **snippet}, "status": raw["status"]}
        with pytest.raises(PublishRejected) as refused:
            publish(youtube, video_file, recorder, body)
        refusals.append(refused.value.reason)
    assert refusals == [
        "invalidTitle",
        "invalidDescription",
        "invalidDescription",
        "invalidTags",
        "invalidCategoryId",
    ]

    fixed = story_metadata(
        title=long_title + " <3",
        story_text=story,
        tags=[f"tag nummer {n}" for n in range(60)],
    )
    snippet = fixed["snippet"]
    assert len(snippet["title"]) <= 100 and snippet["title"].endswith("…")
    assert "<" not in snippet["description"] and "\u2039genug\u203a" in snippet["description"]
    assert len(snippet["description"].encode("utf-8")) <= 5000
    assert snippet["description"].endswith("#ZusammenMehr #Integration")
    assert "Erzählt von Aylin K." in snippet["description"]
    video = publish(youtube, video_file, recorder, fixed)
    assert video["snippet"]["title"] == snippet["title"]

    problems = metadata_problems(
        title=long_title, story_text=story, tags=[f"tag nummer {n}" for n in range(60)]
    )
    assert any("150 characters" in problem for problem in problems)
    assert any("5000 bytes" in problem for problem in problems)
    assert any("< or >" in problem for problem in problems)
    assert any("500 characters" in problem for problem in problems)


def test_compose_metadata_details() -> None:
    body = story_metadata(
        story_text="ä" * 6000,
        publish_at=dt.datetime(2030, 5, 1, 18, 0, tzinfo=dt.UTC),
        made_for_kids=True,
        synthetic=True,
    )
    description = body["snippet"]["description"]
    assert len(description.encode("utf-8")) <= 5000
    description.encode("utf-8").decode("utf-8")  # no split character
    assert body["status"] == {
        "privacyStatus": "private",
        "selfDeclaredMadeForKids": True,
        "containsSyntheticMedia": True,
        "embeddable": True,
        "license": "youtube",
        "publishAt": "2030-05-01T18:00:00.000Z",
    }
    tags = story_metadata(tags=["with space", "x" * 245, "y" * 245])["snippet"]["tags"]
    assert tags == ["with space", "x" * 245]  # 12 + 1 + 245 fits, 1 + 245 more does not
    with pytest.raises(ValueError, match="private"):
        story_metadata(privacy="public", publish_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="empty"):
        story_metadata(title="  ")
    assert metadata_problems(title="Gut", story_text="Kurz", language="de") == []


def test_quota_policy_and_next_reset() -> None:
    legacy = QuotaPolicy(model="legacy")
    buckets = QuotaPolicy(model="buckets")
    assert cost_of("videos.insert") == 1600 and cost_of("captions.insert") == 400
    assert legacy.fits(method="videos.insert", units_used=8_400)
    assert not legacy.fits(method="videos.insert", units_used=8_401)
    assert buckets.fits(method="videos.insert", units_used=10_000, uploads_used=99)
    assert not buckets.fits(method="videos.insert", units_used=0, uploads_used=100)
    assert not buckets.fits(method="videos.update", units_used=9_951)
    assert legacy.uploads_left(units_used=0) == 6
    summer = dt.datetime(2026, 7, 1, 6, 59, tzinfo=dt.UTC)  # 23:59 PDT
    assert next_reset(summer) == dt.datetime(2026, 7, 1, 7, 0, tzinfo=dt.UTC)
    winter = dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.UTC)  # 00:00 PST
    assert next_reset(winter) == dt.datetime(2026, 1, 16, 8, 0, tzinfo=dt.UTC)
    spring = dt.datetime(2026, 3, 8, 12, 0, tzinfo=dt.UTC)  # DST starts that night
    assert next_reset(spring) == dt.datetime(2026, 3, 9, 7, 0, tzinfo=dt.UTC)
    with pytest.raises(KeyError):
        cost_of("search.list")


def test_oauth_web_flow_against_the_stand_in(standin: Standin) -> None:
    config = client_config_for(
        client_id="standin-client",
        client_secret="standin-secret",
        auth_uri=standin.url + "o/oauth2/auth",
        token_uri=standin.url + "token",
    )
    redirect_uri = "http://127.0.0.1:9/oauth/callback"
    url, verifier = authorization_url(client_config=config, redirect_uri=redirect_uri, state="s1")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["code_challenge_method"] == ["S256"] and verifier not in url
    assert "https://www.googleapis.com/auth/youtube.upload" in query["scope"][0]

    consent = requests.get(url, allow_redirects=False, timeout=5)
    assert consent.status_code == 302
    back = urllib.parse.parse_qs(urllib.parse.urlsplit(consent.headers["Location"]).query)
    assert back["state"] == ["s1"]

    with pytest.raises(ReconnectRequired):
        exchange_code(
            client_config=config,
            redirect_uri=redirect_uri,
            code=back["code"][0],
            code_verifier="x" * 64,  # wrong verifier; the code is used up as at Google
        )
    consent = requests.get(url, allow_redirects=False, timeout=5)
    back = urllib.parse.parse_qs(urllib.parse.urlsplit(consent.headers["Location"]).query)
    credentials = exchange_code(
        client_config=config,
        redirect_uri=redirect_uri,
        code=back["code"][0],
        code_verifier=verifier,
    )
    assert credentials.refresh_token and credentials.token
    youtube = build_youtube(credentials=credentials, api_url=standin.url)
    assert ensure_playlist(youtube=youtube, title="Nach dem Verbinden")


def _access_token(standin: Standin) -> str:
    answer = requests.post(
        standin.url + "token",
        data={"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN},
        timeout=5,
    )
    return str(answer.json()["access_token"])


def test_the_stand_in_speaks_the_strict_resumable_protocol(standin: Standin) -> None:
    headers = {"Authorization": "Bearer " + _access_token(standin)}
    start = requests.post(
        standin.url + "upload/youtube/v3/videos?uploadType=resumable&part=snippet,status",
        json={"snippet": {"title": "Protokoll", "categoryId": "29"}},
        headers={**headers, "X-Upload-Content-Length": str(3 * CHUNK)},
        timeout=5,
    )
    assert start.status_code == 200
    session = start.headers["Location"]

    def put(data: bytes, content_range: str) -> requests.Response:
        return requests.put(session, data=data, headers={"Content-Range": content_range}, timeout=5)

    query = put(b"", f"bytes */{3 * CHUNK}")
    assert query.status_code == 308 and "Range" not in query.headers
    odd = put(b"x" * 1000, f"bytes 0-999/{3 * CHUNK}")
    assert odd.status_code == 400  # non-final chunk not a multiple of 256 KiB
    assert odd.json()["error"]["errors"][0]["reason"] == "badContent"
    first = put(b"a" * CHUNK, f"bytes 0-{CHUNK - 1}/{3 * CHUNK}")
    assert first.status_code == 308 and first.headers["Range"] == f"bytes=0-{CHUNK - 1}"
    skipped = put(b"c" * CHUNK, f"bytes {2 * CHUNK}-{3 * CHUNK - 1}/{3 * CHUNK}")
    assert skipped.status_code == 308 and skipped.headers["Range"] == f"bytes=0-{CHUNK - 1}"
    rest = put(b"b" * 2 * CHUNK, f"bytes {CHUNK}-{3 * CHUNK - 1}/{3 * CHUNK}")
    assert rest.status_code == 200
    video = rest.json()
    assert set(video) >= {"id", "snippet", "status", "processingDetails"}
    done = put(b"", f"bytes */{3 * CHUNK}")
    assert done.status_code == 200 and done.json()["id"] == video["id"]
    unknown = requests.put(
        session.replace("upload_id=", "upload_id=zz"),
        headers={"Content-Range": "bytes */1"},
        timeout=5,
    )
    assert unknown.status_code == 404

    anonymous = requests.get(standin.url + "youtube/v3/videos?part=id&id=" + video["id"], timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == 401
    revoked = requests.post(
        standin.url + "token",
        data={"grant_type": "refresh_token", "refresh_token": ""},
        timeout=5,
    )
    assert revoked.status_code == 400
    assert revoked.json()["error"] == "invalid_grant"


def test_the_page_lists_videos_with_escaped_text(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder
) -> None:
    video_id = publish(youtube, video_file, recorder, story_metadata(title='"Wir" & die Stadt'))[
        "id"
    ]
    playlist = ensure_playlist(youtube=youtube, title="<script>alert(1)</script>")
    add_to_playlist(youtube=youtube, playlist_id=playlist, video_id=video_id)

    page = requests.get(standin.url, timeout=5).text

    assert "&quot;Wir&quot; &amp; die Stadt" in page
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert f'src="/_standin/media/{video_id}"' in page
    media = requests.get(
        standin.url + f"_standin/media/{video_id}", headers={"Range": "bytes=0-9"}, timeout=5
    )
    assert media.status_code == 206 and media.content == video_file.read_bytes()[:10]


def test_discovery_document_served_by_the_stand_in_routes_uploads_there(
    standin: Standin, tmp_path: Path
) -> None:
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import build
    from googleapiclient.http import MediaFileUpload

    media_file = tmp_path / "one.bin"
    media_file.write_bytes(b"x" * 10)
    youtube = build(
        "youtube",
        "v3",
        discoveryServiceUrl=standin.url + "discovery/v1/apis/{api}/{apiVersion}/rest",
        static_discovery=False,
        cache_discovery=False,
        credentials=Credentials(token="unused"),
    )
    media = MediaFileUpload(str(media_file), resumable=True)
    request = youtube.videos().insert(part="snippet", body={}, media_body=media)
    assert request.uri.startswith(standin.url + "upload/youtube/v3/videos?")
    assert youtube.videos().list(part="id", id="x").uri.startswith(standin.url + "youtube/v3/")
    media.stream().close()


def test_build_youtube_defaults_to_google_and_never_fetches_discovery(tmp_path: Path) -> None:
    from google.oauth2.credentials import Credentials
    from googleapiclient.http import MediaFileUpload

    media_file = tmp_path / "one.bin"
    media_file.write_bytes(b"x" * 10)
    youtube = build_youtube(credentials=Credentials(token="unused"))
    media = MediaFileUpload(str(media_file), resumable=True)
    upload_uri = youtube.videos().insert(part="snippet", body={}, media_body=media).uri
    assert upload_uri.startswith("https://www.googleapis.com/upload/youtube/v3/videos?")
    media.stream().close()
