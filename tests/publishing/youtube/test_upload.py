"""Resumable uploads through google-api-python-client against the stand-in over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from publishing.youtube.api import (
    PublishRejected,
    QuotaExhausted,
    ReconnectRequired,
    UploadState,
    ensure_playlist,
    next_reset,
    resumable_upload,
)
from publishing.youtube.api.errors import PACIFIC

from .conftest import CHUNK, REFRESH_TOKEN, ROOT, Recorder, Standin, sha256, video_body


def upload(youtube: Any, path: Path, recorder: Recorder, **kwargs: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "youtube": youtube,
        "file_path": path,
        "body": video_body(),
        "state": None,
        "save_state": recorder.save_state,
        "chunk_size": CHUNK,
        "sleep": recorder.sleep,
        "record_call": recorder.record_call,
    }
    options.update(kwargs)
    return resumable_upload(**options)


def resent_bytes(state: dict[str, Any], total: int) -> int:
    return state["counters"]["chunk_bytes_received"] - total


def test_upload_streams_the_file_and_reports_every_chunk(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder
) -> None:
    video = upload(youtube, video_file, recorder)

    assert video["id"]
    assert video["snippet"]["title"] == "Aylin fand ihren Weg in die Pflege"
    assert video["status"]["privacyStatus"] == "private"
    assert sha256(standin.stored_video(video["id"])) == sha256(video_file)
    total = video_file.stat().st_size
    offsets = [state.confirmed_offset for state in recorder.states]
    assert offsets == [CHUNK * n for n in range(1, 6)] + [total]
    assert {state.session_uri for state in recorder.states} == {recorder.states[0].session_uri}
    assert recorder.calls == [("videos.insert", 1600)]
    state = standin.state()
    assert state["counters"]["chunks_received"] == 6
    assert resent_bytes(state, total) == 0
    assert state["quota"]["units"] == 1600


def test_resume_in_a_new_process_after_sigkill(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder, tmp_path: Path
) -> None:
    """A worker is SIGKILLed after YouTube confirmed chunk 3 but before it stored that offset."""
    state_file = tmp_path / "state.json"
    worker = textwrap.dedent(
        f"""
        import json, os, signal
        from publishing.youtube.api import build_youtube, make_credentials, resumable_upload

        creds = make_credentials(refresh_token={REFRESH_TOKEN!r}, client_id="c",
                                 client_secret="s", token_uri={standin.url + "token"!r})
        youtube = build_youtube(credentials=creds, api_url={standin.url!r})

        def save_state(state):
            if state.confirmed_offset >= 3 * {CHUNK}:
                os.kill(os.getpid(), signal.SIGKILL)  # crash before the offset is stored
            with open({str(state_file)!r}, "w") as handle:
                json.dump(state.to_json(), handle)

        resumable_upload(youtube=youtube, file_path={str(video_file)!r},
                         body={{"snippet": {{"title": "Crash test", "categoryId": "29"}}}},
                         state=None, save_state=save_state, chunk_size={CHUNK})
        """
    )
    crashed = subprocess.run([sys.executable, "-c", worker], cwd=ROOT, timeout=60, check=False)
    assert crashed.returncode == -9
    saved = UploadState.from_json(json.loads(state_file.read_text()))
    assert saved.session_uri and saved.confirmed_offset == 2 * CHUNK

    video = upload(youtube, video_file, recorder, state=saved)

    total = video_file.stat().st_size
    assert sha256(standin.stored_video(video["id"])) == sha256(video_file)
    state = standin.state()
    assert state["counters"]["sessions_created"] == 1
    assert state["counters"]["status_queries"] == 1
    assert resent_bytes(state, total) <= CHUNK
    assert state["counters"]["videos_created"] == 1
    assert recorder.states[0] == UploadState(saved.session_uri, 3 * CHUNK, total)
    assert recorder.calls == []  # resuming opens no new session, so costs no new insert


def test_resume_after_the_last_chunk_returns_the_same_video(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder
) -> None:
    first = upload(youtube, video_file, recorder)
    finished = recorder.states[-1]
    assert finished.confirmed_offset == finished.total

    again = upload(youtube, video_file, Recorder(), state=finished)

    assert again["id"] == first["id"]
    assert standin.state()["counters"]["sessions_created"] == 1


def test_stand_in_restart_keeps_the_session(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder
) -> None:
    class Crash(Exception):
        pass

    def crash_after_two(offset: int, total: int) -> None:
        if offset >= 2 * CHUNK:
            raise Crash

    with pytest.raises(Crash):
        upload(youtube, video_file, recorder, on_progress=crash_after_two)
    standin.restart()

    video = upload(youtube, video_file, recorder, state=recorder.states[-1])

    assert sha256(standin.stored_video(video["id"])) == sha256(video_file)
    assert standin.state()["counters"]["sessions_created"] == 1


def test_a_503_on_a_chunk_is_retried_after_a_backoff(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder
) -> None:
    standin.faults(chunk_errors={"3": 503})

    video = upload(youtube, video_file, recorder)

    assert sha256(standin.stored_video(video["id"])) == sha256(video_file)
    assert len(recorder.sleeps) == 1 and 0.5 <= recorder.sleeps[0] <= 1.0
    state = standin.state()
    assert state["counters"]["injected_errors"] == 1
    assert resent_bytes(state, video_file.stat().st_size) == CHUNK


@pytest.mark.parametrize("dropped", [[2], [2, 3]], ids=["once", "twice-in-a-row"])
def test_a_dropped_connection_is_recovered(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder, dropped: list[int]
) -> None:
    """httplib2 silently re-sends once; a second drop reaches our own backoff loop."""
    standin.faults(drop_chunks=dropped)

    video = upload(youtube, video_file, recorder)

    assert sha256(standin.stored_video(video["id"])) == sha256(video_file)
    state = standin.state()
    assert state["counters"]["dropped_connections"] == len(dropped)
    assert state["counters"]["videos_created"] == 1
    assert len(recorder.sleeps) == len(dropped) - 1


def test_transient_failures_give_up_after_max_attempts(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder
) -> None:
    from publishing.youtube.api import TransientYouTubeError

    standin.faults(chunk_errors={str(n): 503 for n in range(2, 12)})

    with pytest.raises(TransientYouTubeError):
        upload(youtube, video_file, recorder, max_attempts=3)

    assert len(recorder.sleeps) == 2
    assert recorder.states[-1].confirmed_offset == CHUNK  # resumable later from here


@pytest.mark.parametrize(
    ("faults", "reason"),
    [({"quota_exhausted": True}, "quotaExceeded"), ({"upload_limit": True}, "uploadLimitExceeded")],
)
def test_quota_and_upload_limit_stop_until_midnight_pacific(
    standin: Standin,
    youtube: Any,
    video_file: Path,
    recorder: Recorder,
    faults: dict[str, Any],
    reason: str,
) -> None:
    standin.faults(**faults)
    before = dt.datetime.now(dt.UTC)

    with pytest.raises(QuotaExhausted) as refused:
        upload(youtube, video_file, recorder)

    assert refused.value.reason == reason
    resume_at = refused.value.resume_at
    assert resume_at == next_reset(before) or resume_at == next_reset(dt.datetime.now(dt.UTC))
    local = resume_at.astimezone(PACIFIC)
    assert (local.hour, local.minute) == (0, 0)
    assert dt.timedelta(0) < resume_at - before <= dt.timedelta(hours=25)
    assert recorder.states == [] and recorder.calls == []

    standin.reset_quota()  # midnight in Los Angeles
    video = upload(youtube, video_file, recorder)
    assert video["id"]


def test_buckets_model_counts_uploads_apart(
    tmp_path: Path, video_file: Path, recorder: Recorder
) -> None:
    from publishing.youtube.api import build_youtube, make_credentials

    from .conftest import _started

    standin = _started(tmp_path / "buckets", quota_model="buckets")
    try:
        credentials = make_credentials(
            refresh_token=REFRESH_TOKEN,
            client_id="c",
            client_secret="s",
            token_uri=standin.url + "token",
        )
        youtube = build_youtube(credentials=credentials, api_url=standin.url)
        standin.faults(quota_used={"units": 9_990, "uploads": 99})
        assert upload(youtube, video_file, recorder)["id"]  # the 100th upload still fits
        with pytest.raises(QuotaExhausted):
            ensure_playlist(youtube=youtube, title="Neu")  # 1 unit list fits, 50 insert not
        with pytest.raises(QuotaExhausted):
            upload(youtube, video_file, recorder)
        assert standin.state()["quota"] == {
            "day": standin.state()["quota"]["day"],
            "units": 9_991,
            "uploads": 100,
        }
    finally:
        standin.stop()


def test_revoked_refresh_token_requires_reconnecting(
    standin: Standin, make_youtube: Any, video_file: Path, recorder: Recorder
) -> None:
    standin.faults(revoke_refresh_tokens=["1//revoked"])
    youtube = make_youtube("1//revoked")

    with pytest.raises(ReconnectRequired):
        upload(youtube, video_file, recorder)
    with pytest.raises(ReconnectRequired):
        ensure_playlist(youtube=youtube, title="Geschichten")


def test_expired_access_token_is_refreshed_transparently(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder
) -> None:
    assert ensure_playlist(youtube=youtube, title="Vorher")
    standin.faults(expire_access_tokens=True)

    assert upload(youtube, video_file, recorder)["id"]


@pytest.mark.parametrize("gone", ["expired", "unknown"])
def test_a_lost_session_starts_a_new_one(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder, gone: str
) -> None:
    class Crash(Exception):
        pass

    def crash(offset: int, total: int) -> None:
        if offset >= 2 * CHUNK:
            raise Crash

    with pytest.raises(Crash):
        upload(youtube, video_file, recorder, on_progress=crash)
    stored = recorder.states[-1]
    if gone == "expired":
        standin.faults(expire_sessions=True)  # answers 410 Gone
    else:
        uri = (stored.session_uri or "").replace("upload_id=", "upload_id=nosuch")
        stored = UploadState(uri, stored.confirmed_offset, stored.total)  # answers 404

    video = upload(youtube, video_file, recorder, state=stored)

    assert sha256(standin.stored_video(video["id"])) == sha256(video_file)
    state = standin.state()
    assert state["counters"]["sessions_created"] == 2
    assert state["counters"]["videos_created"] == 1
    assert recorder.states[-1].session_uri != stored.session_uri
    assert recorder.calls == [("videos.insert", 1600)] * 2


def test_raw_metadata_is_refused_like_youtube(
    standin: Standin, youtube: Any, video_file: Path, recorder: Recorder
) -> None:
    with pytest.raises(PublishRejected) as refused:
        upload(youtube, video_file, recorder, body=video_body("x" * 150))
    assert refused.value.reason == "invalidTitle"
    assert "100 characters" in refused.value.message_for_publisher
    assert standin.state()["counters"]["sessions_created"] == 0


def test_chunk_size_must_follow_the_256_kib_granularity(youtube: Any, video_file: Path) -> None:
    with pytest.raises(ValueError, match="multiple"):
        upload(youtube, video_file, Recorder(), chunk_size=100_000)
