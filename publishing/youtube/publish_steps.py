"""The steps of a publication the publish tasks run: the API client for one run, the upload,
thumbnail, captions and playlists, and the local copy of a stored file.

``runs`` drives them; which extras are optional is decided here (a refused thumbnail or
caption track is noted, not fatal), the playlists' titles in ``services.playlist_targets``.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage

MIB = 1024 * 1024
CHUNK_GRANULARITY = 256 * 1024


def chunk_size() -> int:
    """``YOUTUBE_CHUNK_MB`` in bytes, on YouTube's 256 KiB granularity, 256 KiB to 32 MiB."""
    wanted = int(float(settings.YOUTUBE_CHUNK_MB) * MIB)
    return min(32 * MIB, max(CHUNK_GRANULARITY, wanted - wanted % CHUNK_GRANULARITY))


@contextlib.contextmanager
def local_copy(storage_key: str, suffix: str) -> Iterator[Path]:
    """A local path of a stored file: the file itself, or a streamed temporary copy (S3)."""
    try:
        yield Path(default_storage.path(storage_key))
        return
    except NotImplementedError:
        pass
    settings.MEDIA_WORK_DIR.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="publish-", dir=settings.MEDIA_WORK_DIR))
    try:
        target = workdir / f"file{suffix}"
        with default_storage.open(storage_key, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, length=MIB)
        yield target
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class Client:
    """The API client for one task run, and the channel whose token it may refresh."""

    def __init__(self) -> None:
        from publishing.youtube import services
        from publishing.youtube.api import ReconnectRequired, build_youtube
        from publishing.youtube.crypto import CredentialsUnreadable

        channel = services.channel_get()
        if channel is None:
            raise ReconnectRequired("no YouTube channel is connected")
        try:
            self.credentials = services.channel_credentials(channel=channel)
        except CredentialsUnreadable as error:
            raise ReconnectRequired(str(error)) from error
        self.channel_id = channel.pk
        self.youtube = build_youtube(
            credentials=self.credentials, api_url=settings.YOUTUBE_API_URL, http_timeout=60
        )

    def persist_token(self) -> None:
        from publishing.youtube import services

        if self.credentials.token:
            services.channel_store_refreshed_token(
                channel_id=self.channel_id, credentials=self.credentials
            )


def recorder_for(publication_id: int | None) -> Callable[[str, int], None]:
    from publishing.youtube import services

    def record(method: str, cost: int) -> None:
        services.quota_record_call(method=method, cost=cost, publication_id=publication_id)

    return record


def recorder(publication_id: int) -> Callable[[str, int], None]:
    return recorder_for(publication_id)


def since(started: float) -> float:
    return time.monotonic() - started


def upload(publication_id: int, client: Client, worker: str) -> None:
    from publishing.youtube import selectors, services
    from publishing.youtube.api import UploadState, resumable_upload
    from publishing.youtube.models import Publication
    from stories.selectors import story_current_media

    publication = Publication.objects.select_related("story").get(pk=publication_id)
    media = story_current_media(story=publication.story)
    if media is None or not media.master_key:
        from publishing.youtube.api import PublishRejected

        raise PublishRejected("noMedia", "The story has no processed video to publish.")
    if not publication.session_uri:
        selectors.quota_check(
            method="videos.insert", whole_publication=True, publication=publication
        )
    state = (
        UploadState(publication.session_uri, publication.confirmed_offset, publication.total_bytes)
        if publication.session_uri
        else None
    )

    def save_state(new: UploadState) -> None:
        services.publication_save_upload_state(
            publication_id=publication_id,
            worker=worker,
            session_uri=new.session_uri,
            confirmed_offset=new.confirmed_offset,
            total=new.total,
        )

    with local_copy(media.master_key, ".mp4") as path:
        video = resumable_upload(
            youtube=client.youtube,
            file_path=path,
            body=publication.metadata,
            state=state,
            save_state=save_state,
            chunk_size=chunk_size(),
            mimetype="video/mp4",
            record_call=recorder(publication_id),
        )
    services.publication_uploaded(
        publication_id=publication_id, worker=worker, video_id=str(video["id"])
    )


def extras(publication_id: int, client: Client, worker: str) -> None:
    """Thumbnail (the poster), the submitter's subtitles as captions, playlists."""
    from publishing.youtube import selectors, services
    from publishing.youtube.api import PublishRejected, set_thumbnail
    from publishing.youtube.models import Publication
    from stories.selectors import story_current_media

    publication = Publication.objects.select_related("story").get(pk=publication_id)
    if publication.extras_done:
        return
    record = recorder(publication_id)
    if not publication.thumbnail_set:
        media = story_current_media(story=publication.story)
        if media is not None and media.poster_key and default_storage.exists(media.poster_key):
            selectors.quota_check(method="thumbnails.set")
            try:
                with local_copy(media.poster_key, ".jpg") as poster:
                    set_thumbnail(
                        youtube=client.youtube,
                        video_id=publication.video_id,
                        image_path=poster,
                        record_call=record,
                    )
                services.publication_note_extra(publication_id=publication_id, thumbnail_set=True)
            except PublishRejected as error:
                # A missing custom thumbnail is no reason to hold the story back.
                services.publication_note_extra(
                    publication_id=publication_id, note=f"thumbnail: {error}"
                )
    if not publication.captions_set:
        _captions(publication, client, record)
    services.publication_heartbeat(publication_id=publication_id, worker=worker)
    for kind, key, title in services.playlist_targets(publication.story):
        playlist_id = _ensure_playlist(client, kind=kind, key=key, title=title, record=record)
        if playlist_id in publication.playlists:
            continue
        used = _add_to_playlist(
            client,
            kind=kind,
            key=key,
            title=title,
            playlist_id=playlist_id,
            video_id=publication.video_id,
            record=record,
        )
        # Remember the playlist the video actually went into (a new one if ours was deleted).
        services.publication_note_extra(
            publication_id=publication_id, playlist_id=used, forget_playlist_id=playlist_id
        )
    services.publication_note_extra(publication_id=publication_id, extras_done=True)


def _captions(publication: Any, client: Client, record: Any) -> None:
    """The submitter's subtitles (stored as WebVTT) become a caption track once."""
    from publishing.youtube import selectors, services
    from publishing.youtube.api import PublishRejected, insert_caption
    from stories.models import StorySubtitle

    subtitle = StorySubtitle.objects.filter(story=publication.story).first()
    if subtitle is None or not default_storage.exists(subtitle.storage_key):
        return
    selectors.quota_check(method="captions.insert")
    try:
        with local_copy(subtitle.storage_key, ".vtt") as path:
            insert_caption(
                youtube=client.youtube,
                video_id=publication.video_id,
                caption_path=path,
                language=subtitle.language,
                name="",
                record_call=record,
            )
        services.publication_note_extra(publication_id=publication.pk, captions_set=True)
    except PublishRejected as error:
        # Captions are welcome, not required: the video goes out without them.
        services.publication_note_extra(publication_id=publication.pk, note=f"captions: {error}")


def _ensure_playlist(
    client: Client, *, kind: str, key: str, title: str, record: Callable[[str, int], None]
) -> str:
    from publishing.youtube import selectors, services
    from publishing.youtube.api import ensure_playlist
    from publishing.youtube.models import Playlist

    known = Playlist.objects.filter(kind=kind, key=key).first()
    if known is not None:
        return known.youtube_id
    selectors.quota_check(method="playlists.insert")
    youtube_id = ensure_playlist(youtube=client.youtube, title=title[:150], record_call=record)
    services.playlist_remember(kind=kind, key=key, title=title, youtube_id=youtube_id)
    return youtube_id


def _add_to_playlist(
    client: Client,
    *,
    kind: str,
    key: str,
    title: str,
    playlist_id: str,
    video_id: str,
    record: Callable[[str, int], None],
) -> str:
    """Add the video; returns the id of the playlist it went into."""
    from publishing.youtube import selectors, services
    from publishing.youtube.api import YouTubeApiError, add_to_playlist

    selectors.quota_check(method="playlistItems.insert")
    try:
        add_to_playlist(
            youtube=client.youtube, playlist_id=playlist_id, video_id=video_id, record_call=record
        )
        return playlist_id
    except YouTubeApiError as error:
        if error.status != 404:
            raise
        # The remembered playlist was deleted on YouTube: create it again, once.
        services.playlist_forget(youtube_id=playlist_id)
        fresh = _ensure_playlist(client, kind=kind, key=key, title=title, record=record)
        add_to_playlist(
            youtube=client.youtube, playlist_id=fresh, video_id=video_id, record_call=record
        )
        return fresh


def finished_session_video(client: Client, publication: Any) -> str:
    from publishing.youtube.api import finished_session_video

    return finished_session_video(
        youtube=client.youtube,
        session_uri=publication.session_uri,
        total_bytes=publication.total_bytes,
    )
