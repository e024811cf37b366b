"""The stand-in refuses what the real API refuses, by the discovery document, and refuses any
method the product calls on demand (fault injection), with YouTube's error shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaFileUpload

from .conftest import Standin


def _reason(error: HttpError) -> tuple[int, str]:
    body = json.loads(error.content)
    return int(error.resp.status), body["error"]["errors"][0]["reason"]


def _token(youtube: Any) -> str:
    youtube.videos().list(part="id", id="nothing").execute()
    return str(youtube._http.credentials.token)


def test_a_part_the_resource_does_not_have_is_refused(youtube: Any) -> None:
    with pytest.raises(HttpError) as caught:
        youtube.videos().list(part="snippet,bogusPart", id="x").execute()
    assert _reason(caught.value) == (400, "unexpectedPart")
    with pytest.raises(HttpError) as caught:
        youtube.playlists().list(part="kind", mine=True).execute()  # kind is not a part
    assert _reason(caught.value) == (400, "unexpectedPart")


def test_an_unknown_body_field_is_refused(youtube: Any) -> None:
    body = {"id": "x", "status": {"privacyStatus": "private", "privacy": "private"}}
    with pytest.raises(HttpError) as caught:
        youtube.videos().update(part="status", body=body).execute()
    status, reason = _reason(caught.value)
    assert (status, reason) == (400, "invalid")
    assert (
        'Unknown name "privacy" at "status"' in json.loads(caught.value.content)["error"]["message"]
    )
    item = {"snippet": {"playlistId": "PL1", "resourceId": {"videoId": "v", "channel": "c"}}}
    with pytest.raises(HttpError) as caught:
        youtube.playlistItems().insert(part="snippet", body=item).execute()
    assert _reason(caught.value) == (400, "invalid")


def test_unknown_methods_parameters_and_missing_required_ones(
    standin: Standin, youtube: Any
) -> None:
    headers = {"Authorization": f"Bearer {_token(youtube)}"}
    api = standin.url + "youtube/v3/"
    answer = requests.get(api + "nonsense", headers=headers, timeout=5)
    assert answer.status_code == 404
    answer = requests.get(api + "videos", params={"id": "x"}, headers=headers, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["reason"] == "required"
    answer = requests.get(
        api + "videos",
        params={"id": "x", "part": "id", "colour": "red"},
        headers=headers,
        timeout=5,
    )
    assert answer.status_code == 400
    assert "Cannot bind query parameter" in answer.json()["error"]["message"]
    # An upload is checked too: its metadata against the Video schema.
    answer = requests.post(
        standin.url + "upload/youtube/v3/videos",
        params={"uploadType": "resumable", "part": "snippet,status"},
        json={"snippet": {"title": "t", "colour": "red"}, "status": {"privacyStatus": "private"}},
        headers=headers,
        timeout=5,
    )
    assert answer.status_code == 400
    assert 'Unknown name "colour" at "snippet"' in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    "method",
    [
        "videos.list",
        "videos.update",
        "videos.delete",
        "playlists.list",
        "playlists.insert",
        "playlistItems.list",
        "playlistItems.insert",
        "playlistItems.delete",
        "thumbnails.set",
        "captions.insert",
        "videos.insert",
    ],
)
def test_fault_injection_refuses_every_method_the_product_calls(
    standin: Standin, youtube: Any, tmp_path: Path, method: str
) -> None:
    standin.faults(fail_methods={method: {"status": 403, "reason": "forbidden"}})
    image = tmp_path / "t.jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 100)
    calls = {
        "videos.list": lambda: youtube.videos().list(part="id", id="x"),
        "videos.update": lambda: youtube.videos().update(
            part="status", body={"id": "x", "status": {"privacyStatus": "private"}}
        ),
        "videos.delete": lambda: youtube.videos().delete(id="x"),
        "playlists.list": lambda: youtube.playlists().list(part="id", mine=True),
        "playlists.insert": lambda: youtube.playlists().insert(
            part="snippet", body={"snippet": {"title": "x"}}
        ),
        "playlistItems.list": lambda: youtube.playlistItems().list(part="id", playlistId="PL"),
        "playlistItems.insert": lambda: youtube.playlistItems().insert(
            part="snippet",
            body={"snippet": {"playlistId": "PL", "resourceId": {"videoId": "x"}}},
        ),
        "playlistItems.delete": lambda: youtube.playlistItems().delete(id="x"),
        "thumbnails.set": lambda: youtube.thumbnails().set(
            videoId="x", media_body=MediaFileUpload(str(image), mimetype="image/jpeg")
        ),
        "captions.insert": lambda: youtube.captions().insert(
            part="snippet",
            body={"snippet": {"videoId": "x", "language": "de", "name": ""}},
            media_body=MediaFileUpload(str(image), mimetype="application/octet-stream"),
        ),
        "videos.insert": lambda: youtube.videos().insert(
            part="snippet,status",
            body={"snippet": {"title": "x"}, "status": {"privacyStatus": "private"}},
            media_body=MediaFileUpload(str(image), mimetype="video/mp4"),
        ),
    }
    with pytest.raises(HttpError) as caught:
        calls[method]().execute()
    assert _reason(caught.value) == (403, "forbidden")
    assert standin.state()["counters"].get(f"refused:{method}") == 1
