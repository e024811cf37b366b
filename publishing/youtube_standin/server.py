"""HTTP side of the YouTube stand-in: routing, resumable uploads, OAuth, control endpoints, page.

Only the parts of the YouTube Data API v3 the product calls are implemented, with Google's wire
behaviour: JSON error bodies, 308 "Resume Incomplete" with a ``Range`` header, 256 KiB chunk
granularity, quota reasons. Uploaded bytes are streamed to disk in 1 MiB blocks.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import html
import json
import logging
import secrets
import shutil
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .discovery import rewritten_document
from .state import (
    UPLOAD_GRANULARITY,
    ApiError,
    Store,
    new_id,
    rfc3339,
    validate_snippet,
    validate_status,
)

logger = logging.getLogger("publishing.youtube_standin")

BLOCK = 1024 * 1024
MAX_INLINE_BODY = 64 * 1024 * 1024
CHANNEL_ID = "UCstandinZusammenMehr000"
CHANNEL_TITLE = "ZUSAMMEN. MEHR. (stand-in)"

UPLOAD_KINDS = {
    "videos": "videos.insert",
    "thumbnails/set": "thumbnails.set",
    "captions": "captions.insert",
}


class StandinServer(ThreadingHTTPServer):
    """A threading HTTP server that carries the stand-in's store and its own public URL."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], store: Store, *, verbose: bool = False) -> None:
        super().__init__(address, StandinHandler)
        self.store = store
        self.verbose = verbose
        host, port = self.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        self.base_url = f"http://{host_text}:{port}/"


def make_server(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    data_dir: Path,
    quota_model: str = "legacy",
    faults: dict[str, Any] | None = None,
    processing_seconds: float = 1.0,
    verbose: bool = False,
) -> StandinServer:
    """Bind the stand-in (port 0 picks a free port; read it from ``server.base_url``).

    Raises OSError if the address is taken and ValueError for an unknown quota model.
    """
    store = Store(
        data_dir=data_dir,
        quota_model=quota_model,
        faults=faults,
        processing_seconds=processing_seconds,
    )
    return StandinServer((host, port), store, verbose=verbose)


def serve_in_thread(**kwargs: Any) -> tuple[StandinServer, threading.Thread]:
    """Start ``make_server(**kwargs)`` in a daemon thread; stop it with ``server.shutdown()``."""
    server = make_server(**kwargs)
    thread = threading.Thread(target=server.serve_forever, name="youtube-standin", daemon=True)
    thread.start()
    return server, thread


class _ClientGone(Exception):
    """The client stopped sending before the announced body length."""


class StandinHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StandinServer

    # ----------------------------------------------------------------- plumbing

    @property
    def store(self) -> Store:
        return self.server.store

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        self.route = url.path
        self.query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        try:
            if method == "PUT" and url.path.startswith("/upload/") and "upload_id" in self.query:
                self._session_put(self.query["upload_id"])
                return
            self.body = self._read_inline_body()
            self._route(method)
        except ApiError as error:
            self._send_json(error.status, error.body(), self._error_headers(error))
        except _ClientGone:
            self.close_connection = True
        except Exception:  # noqa: BLE001 - answer like a 500 rather than hang the client
            traceback.print_exc()
            self._send_json(
                500,
                ApiError(500, "backendError", "Backend Error", "global").body(),
            )

    def _error_headers(self, error: ApiError) -> dict[str, str]:
        if error.status == 401:
            return {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
        return {}

    def _content_length(self) -> int:
        raw = self.headers.get("Content-Length")
        if raw is None:
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True
                raise ApiError(411, "lengthRequired", "Content-Length is required.", "global")
            return 0
        return int(raw)

    def _read_inline_body(self) -> bytes:
        length = self._content_length()
        if length > MAX_INLINE_BODY:
            self.close_connection = True
            raise ApiError(413, "mediaBodyTooBig", "Use a resumable upload.", "global")
        return self._read_exact(length)

    def _read_exact(self, length: int) -> bytes:
        data = self.rfile.read(length) if length else b""
        if len(data) != length:
            raise _ClientGone
        return data

    def _drain(self, length: int) -> None:
        remaining = length
        while remaining > 0:
            block = self.rfile.read(min(BLOCK, remaining))
            if not block:
                raise _ClientGone
            remaining -= len(block)

    def _send(
        self,
        status: int,
        body: bytes = b"",
        *,
        content_type: str = "application/json; charset=UTF-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status, "Resume Incomplete" if status == 308 else None)
        if body or status not in (204, 308):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload, indent=1).encode("utf-8"), headers=headers)

    def _json_body(self) -> dict[str, Any]:
        if not self.body:
            return {}
        try:
            payload = json.loads(self.body)
        except ValueError:
            raise ApiError(400, "parseError", "Parse Error", "global") from None
        if not isinstance(payload, dict):
            raise ApiError(400, "parseError", "Parse Error", "global")
        return payload

    def _require_auth(self) -> None:
        header = self.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        if not token or not self.store.access_token_valid(token):
            raise ApiError(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.",
                "global",
            )

    def _parts(self) -> set[str]:
        part = self.query.get("part")
        if not part:
            raise ApiError(400, "required", "Required parameter: part", "global")
        return {p.strip() for p in part.split(",") if p.strip()}

    # ----------------------------------------------------------------- routing

    def _route(self, method: str) -> None:
        route = self.route
        if method == "GET" and route == "/":
            self._send(
                200, self._html_page().encode("utf-8"), content_type="text/html; charset=utf-8"
            )
        elif method == "GET" and route in (
            "/discovery/v1/apis/youtube/v3/rest",
            "/$discovery/rest",
        ):
            document = rewritten_document(root_url=self.server.base_url)
            self._send_json(200, document)
        elif route == "/o/oauth2/auth" and method == "GET":
            self._oauth_authorize()
        elif route == "/token" and method == "POST":
            self._oauth_token()
        elif route.startswith("/_standin/"):
            self._control(method, route.removeprefix("/_standin/"))
        elif route.startswith("/upload/youtube/v3/") and method == "POST":
            self._upload_start(route.removeprefix("/upload/youtube/v3/"))
        elif route.startswith("/youtube/v3/"):
            self._require_auth()
            self._api(method, route.removeprefix("/youtube/v3/"))
        else:
            raise ApiError(404, "notFound", f"Not Found: {route}", "global")

    def _api(self, method: str, resource: str) -> None:
        handlers = {
            ("GET", "videos"): ("videos.list", self._videos_list),
            ("PUT", "videos"): ("videos.update", self._videos_update),
            ("DELETE", "videos"): ("videos.delete", self._videos_delete),
            ("POST", "playlists"): ("playlists.insert", self._playlists_insert),
            ("GET", "playlists"): ("playlists.list", self._playlists_list),
            ("POST", "playlistItems"): ("playlistItems.insert", self._playlist_items_insert),
            ("GET", "playlistItems"): ("playlistItems.list", self._playlist_items_list),
            ("DELETE", "playlistItems"): ("playlistItems.delete", self._playlist_items_delete),
        }
        entry = handlers.get((method, resource))
        if entry is None:
            raise ApiError(
                404, "notFound", f"Not implemented by the stand-in: {resource}", "global"
            )
        api_method, handler = entry
        self.store.check_quota(api_method)
        status, payload = handler()
        self.store.charge(api_method)
        if payload is None:
            self._send(status)
        else:
            self._send_json(status, payload)

    # ----------------------------------------------------------------- videos

    def _view(self, video: dict[str, Any], parts: set[str]) -> dict[str, Any]:
        keep = {"kind", "etag", "id"} | parts
        return {key: value for key, value in video.items() if key in keep}

    def _videos_list(self) -> tuple[int, dict[str, Any]]:
        parts = self._parts()
        ids = [i for i in self.query.get("id", "").split(",") if i]
        if not ids:
            raise ApiError(
                400, "missingRequiredParameter", "No filter selected.", "youtube.parameter"
            )
        items = []
        for video_id in ids:
            with self.store.lock:
                known = video_id in self.store.data["videos"]
            if known:
                items.append(self._view(self.store.processing_view(video_id), parts))
        return 200, {
            "kind": "youtube#videoListResponse",
            "etag": new_id(27),
            "items": items,
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        }

    def _video_or_404(self, video_id: str) -> dict[str, Any]:
        video = self.store.data["videos"].get(video_id)
        if video is None:
            raise ApiError(
                404,
                "videoNotFound",
                "The video identified by the id parameter could not be found.",
                "youtube.video",
            )
        return video

    def _videos_update(self) -> tuple[int, dict[str, Any]]:
        parts = self._parts()
        body = self._json_body()
        with self.store.lock:
            video = self._video_or_404(str(body.get("id", "")))
            if "snippet" in parts:
                snippet = body.get("snippet")
                validate_snippet(snippet, for_update=True)
                assert isinstance(snippet, dict)
                video["snippet"] = self._snippet(snippet, published_at=video["snippet"])
            if "status" in parts:
                status = body.get("status") or {}
                validate_status(status)
                video["status"] = self._status(status, previous=video["status"])
            self.store.save()
            self.store.write_video_resource(video["id"])
            view = self._view(self.store.processing_view(video["id"]), parts)
        return 200, view

    def _videos_delete(self) -> tuple[int, None]:
        video_id = self.query.get("id", "")
        with self.store.lock:
            self._video_or_404(video_id)
            del self.store.data["videos"][video_id]
            self.store.data["video_files"].pop(video_id, None)
            self.store.save()
        shutil.rmtree(self.store.video_dir(video_id), ignore_errors=True)
        return 204, None

    def _snippet(self, given: dict[str, Any], *, published_at: dict[str, Any] | None) -> dict:
        now = rfc3339(time.time())
        snippet: dict[str, Any] = {
            "publishedAt": (published_at or {}).get("publishedAt", now),
            "channelId": CHANNEL_ID,
            "title": given["title"],
            "description": given.get("description", ""),
            "thumbnails": (published_at or {}).get("thumbnails", {}),
            "channelTitle": CHANNEL_TITLE,
            "categoryId": str(given.get("categoryId", "22")),
            "liveBroadcastContent": "none",
            "localized": {"title": given["title"], "description": given.get("description", "")},
        }
        for key in ("tags", "defaultLanguage", "defaultAudioLanguage"):
            if given.get(key):
                snippet[key] = given[key]
        return snippet

    def _status(self, given: dict[str, Any], *, previous: dict[str, Any] | None) -> dict:
        status: dict[str, Any] = {
            "uploadStatus": (previous or {}).get("uploadStatus", "uploaded"),
            "privacyStatus": given.get("privacyStatus", "private"),
            "license": given.get("license", "youtube"),
            "embeddable": given.get("embeddable", True),
            "publicStatsViewable": given.get("publicStatsViewable", True),
            "selfDeclaredMadeForKids": bool(given.get("selfDeclaredMadeForKids", False)),
            "madeForKids": bool(given.get("selfDeclaredMadeForKids", False)),
            "containsSyntheticMedia": bool(given.get("containsSyntheticMedia", False)),
        }
        if given.get("publishAt"):
            status["publishAt"] = given["publishAt"]
        return status

    # ----------------------------------------------------------------- playlists

    def _page(self, kind: str, items: list[dict[str, Any]]) -> dict[str, Any]:
        try:
            size = max(0, min(50, int(self.query.get("maxResults", "5"))))
            start = int(self.query.get("pageToken", "0") or 0)
        except ValueError:
            raise ApiError(
                400, "invalidPageToken", "The page token is invalid.", "global"
            ) from None
        page = items[start : start + size]
        payload: dict[str, Any] = {
            "kind": kind,
            "etag": new_id(27),
            "pageInfo": {"totalResults": len(items), "resultsPerPage": size},
            "items": page,
        }
        if start + size < len(items):
            payload["nextPageToken"] = str(start + size)
        if start > 0:
            payload["prevPageToken"] = str(max(0, start - size))
        return payload

    def _playlists_insert(self) -> tuple[int, dict[str, Any]]:
        body = self._json_body()
        snippet = body.get("snippet") or {}
        title = snippet.get("title")
        if not isinstance(title, str) or not title.strip() or len(title) > 150:
            raise ApiError(
                400, "invalidPlaylistSnippet", "The playlist title is invalid.", "youtube.playlist"
            )
        playlist_id = "PL" + new_id(32)
        resource = {
            "kind": "youtube#playlist",
            "etag": new_id(27),
            "id": playlist_id,
            "snippet": {
                "publishedAt": rfc3339(time.time()),
                "channelId": CHANNEL_ID,
                "title": title,
                "description": snippet.get("description", ""),
                "channelTitle": CHANNEL_TITLE,
                "localized": {"title": title, "description": snippet.get("description", "")},
            },
            "status": {"privacyStatus": (body.get("status") or {}).get("privacyStatus", "public")},
        }
        with self.store.lock:
            self.store.data["playlists"][playlist_id] = resource
            self.store.save()
        return 200, resource

    def _playlists_list(self) -> tuple[int, dict[str, Any]]:
        parts = self._parts()
        with self.store.lock:
            playlists = list(self.store.data["playlists"].values())
            items_by_playlist: dict[str, int] = {}
            for item in self.store.data["playlist_items"].values():
                key = item["snippet"]["playlistId"]
                items_by_playlist[key] = items_by_playlist.get(key, 0) + 1
        if self.query.get("id"):
            wanted = set(self.query["id"].split(","))
            playlists = [p for p in playlists if p["id"] in wanted]
        elif self.query.get("mine") != "true" and not self.query.get("channelId"):
            raise ApiError(
                400, "missingRequiredParameter", "No filter selected.", "youtube.parameter"
            )
        views = []
        for playlist in playlists:
            full = dict(
                playlist, contentDetails={"itemCount": items_by_playlist.get(playlist["id"], 0)}
            )
            views.append(self._view(full, parts))
        return 200, self._page("youtube#playlistListResponse", views)

    def _playlist_items_insert(self) -> tuple[int, dict[str, Any]]:
        body = self._json_body()
        snippet = body.get("snippet") or {}
        playlist_id = snippet.get("playlistId", "")
        video_id = (snippet.get("resourceId") or {}).get("videoId", "")
        with self.store.lock:
            if playlist_id not in self.store.data["playlists"]:
                raise ApiError(
                    404,
                    "playlistNotFound",
                    "Playlist not found.",
                    "youtube.playlistItem",
                )
            video = self.store.data["videos"].get(video_id)
            if video is None:
                raise ApiError(404, "videoNotFound", "Video not found.", "youtube.playlistItem")
            position = sum(
                1
                for item in self.store.data["playlist_items"].values()
                if item["snippet"]["playlistId"] == playlist_id
            )
            item_id = new_id(48)
            resource = {
                "kind": "youtube#playlistItem",
                "etag": new_id(27),
                "id": item_id,
                "snippet": {
                    "publishedAt": rfc3339(time.time()),
                    "channelId": CHANNEL_ID,
                    "title": video["snippet"]["title"],
                    "playlistId": playlist_id,
                    "position": position,
                    "resourceId": {"kind": "youtube#video", "videoId": video_id},
                },
                "contentDetails": {"videoId": video_id},
            }
            self.store.data["playlist_items"][item_id] = resource
            self.store.save()
        return 200, resource

    def _playlist_items_list(self) -> tuple[int, dict[str, Any]]:
        parts = self._parts()
        with self.store.lock:
            items = list(self.store.data["playlist_items"].values())
        if self.query.get("id"):
            wanted = set(self.query["id"].split(","))
            items = [i for i in items if i["id"] in wanted]
        elif self.query.get("playlistId"):
            playlist_id = self.query["playlistId"]
            if playlist_id not in self.store.data["playlists"]:
                raise ApiError(
                    404, "playlistNotFound", "Playlist not found.", "youtube.playlistItem"
                )
            items = [i for i in items if i["snippet"]["playlistId"] == playlist_id]
        else:
            raise ApiError(
                400, "missingRequiredParameter", "No filter selected.", "youtube.parameter"
            )
        if self.query.get("videoId"):
            items = [i for i in items if i["contentDetails"]["videoId"] == self.query["videoId"]]
        return 200, self._page(
            "youtube#playlistItemListResponse", [self._view(i, parts) for i in items]
        )

    def _playlist_items_delete(self) -> tuple[int, None]:
        item_id = self.query.get("id", "")
        with self.store.lock:
            if self.store.data["playlist_items"].pop(item_id, None) is None:
                raise ApiError(
                    404,
                    "playlistItemNotFound",
                    "Playlist item not found.",
                    "youtube.playlistItem",
                )
            self.store.save()
        return 204, None

    # ----------------------------------------------------------------- uploads

    def _upload_start(self, kind: str) -> None:
        api_method = UPLOAD_KINDS.get(kind)
        if api_method is None:
            raise ApiError(404, "notFound", f"No upload endpoint {kind}", "global")
        self._require_auth()
        self.store.check_quota(api_method)
        upload_type = self.query.get("uploadType", "")
        metadata: dict[str, Any] = {}
        media: bytes | None = None
        if upload_type == "resumable":
            metadata = self._json_body()
        elif upload_type == "media":
            media = self.body
        elif upload_type == "multipart":
            metadata, media = self._multipart()
        else:
            raise ApiError(400, "invalidParameter", "Unknown uploadType.", "global")
        target = self._check_upload_metadata(api_method, metadata)
        self.store.charge(api_method)
        upload_id = "ADPycd" + secrets.token_urlsafe(36)
        declared = self.headers.get("X-Upload-Content-Length")
        session = {
            "kind": api_method,
            "metadata": metadata,
            "part": self.query.get("part", ""),
            "target": target,
            "total": int(declared) if declared else None,
            "content_type": self.headers.get("X-Upload-Content-Type", "application/octet-stream"),
            "offset": 0,
            "chunks": 0,
            "bytes_received": 0,
            "created_at": time.time(),
            "completed": False,
            "expired": False,
            "resource": None,
        }
        with self.store.lock:
            self.store.data["sessions"][upload_id] = session
            self.store.data["counters"]["sessions_created"] += 1
            self.store.save()
        if media is not None:
            self.store.upload_path(upload_id).write_bytes(media)
            resource = self._complete(upload_id)
            self._send_json(200, resource)
            return
        location = f"{self.server.base_url}upload/youtube/v3/{kind}?" + urllib.parse.urlencode(
            {"uploadType": "resumable", "upload_id": upload_id}
        )
        self._send(200, headers={"Location": location, "X-GUploader-UploadID": upload_id})

    def _multipart(self) -> tuple[dict[str, Any], bytes]:
        content_type = self.headers.get("Content-Type", "")
        parser = email.parser.BytesParser(policy=email.policy.HTTP)
        message = parser.parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + self.body
        )
        parts = list(message.iter_parts()) if message.is_multipart() else []
        if len(parts) != 2:
            raise ApiError(400, "badContent", "Expected a JSON part and a media part.", "global")
        raw_metadata = parts[0].get_payload(decode=True)
        media = parts[1].get_payload(decode=True)
        if not isinstance(raw_metadata, bytes) or not isinstance(media, bytes):
            raise ApiError(400, "badContent", "Unreadable multipart body.", "global")
        metadata = json.loads(raw_metadata or b"{}")
        if not isinstance(metadata, dict):
            raise ApiError(400, "badContent", "The metadata part is not an object.", "global")
        return metadata, media

    def _check_upload_metadata(self, api_method: str, metadata: dict[str, Any]) -> str:
        """Validate what the upload will create; returns the video id it attaches to, if any."""
        if api_method == "videos.insert":
            if "snippet" in metadata:
                validate_snippet(metadata["snippet"])
            validate_status(metadata.get("status"))
            return ""
        if api_method == "thumbnails.set":
            video_id = self.query.get("videoId", "")
        else:
            snippet = metadata.get("snippet") or {}
            video_id = snippet.get("videoId", "")
            if not snippet.get("language"):
                raise ApiError(
                    400,
                    "invalidMetadata",
                    "The caption language is missing.",
                    "youtube.caption",
                )
        with self.store.lock:
            if video_id not in self.store.data["videos"]:
                raise ApiError(
                    404,
                    "videoNotFound",
                    "The video that you are trying to update cannot be found.",
                    "youtube.thumbnail" if api_method == "thumbnails.set" else "youtube.caption",
                )
        return video_id

    def _session_put(self, upload_id: str) -> None:
        length = self._content_length()
        content_range = self.headers.get("Content-Range", "")
        with self.store.lock:
            session = self.store.data["sessions"].get(upload_id)
        if session is None:
            self._drain(length)
            self._send(404, b"Not Found", content_type="text/plain")
            return
        if session.get("expired"):
            self._drain(length)
            self._send(410, b"Gone", content_type="text/plain")
            return
        start, end, total = _parse_content_range(content_range)
        if length == 0 and start is None:
            self.store.count("status_queries")
            self._answer_progress(upload_id)
            return
        fault = self.store.next_chunk_fault()
        self.store.count("chunks_received")
        self.store.count("chunk_bytes_received", length)
        with self.store.lock:
            session["bytes_received"] += length
        if fault and fault[0] == "drop":
            self._drain(length)
            self.store.count("dropped_connections")
            self.close_connection = True
            return
        if fault:
            self._drain(length)
            self.store.count("injected_errors")
            self._send_json(
                fault[1], ApiError(fault[1], "backendError", "Backend Error", "global").body()
            )
            return
        with self.store.session_lock(upload_id):
            self._store_chunk(upload_id, session, length, start, end, total)

    def _store_chunk(
        self,
        upload_id: str,
        session: dict[str, Any],
        length: int,
        start: int | None,
        end: int | None,
        total: int | None,
    ) -> None:
        if session["completed"]:
            self._drain(length)
            self._send_json(200, session["resource"])
            return
        if start is None or end is None:
            self._drain(length)
            raise ApiError(400, "badContent", "Invalid Content-Range header.", "global")
        if start != session["offset"]:
            # Google answers a misplaced chunk with the offset it really has.
            self._drain(length)
            self.store.count("chunks_misplaced")
            self._answer_progress(upload_id)
            return
        if end - start + 1 != length:
            self._drain(length)
            raise ApiError(400, "badContent", "Content-Range does not match the body.", "global")
        if total is not None:
            if session["total"] is not None and session["total"] != total:
                self._drain(length)
                raise ApiError(400, "badContent", "The total size changed.", "global")
            session["total"] = total
        final = session["total"] is not None and end + 1 == session["total"]
        if not final and length % UPLOAD_GRANULARITY:
            self._drain(length)
            raise ApiError(
                400,
                "badContent",
                "Invalid request. The number of bytes uploaded is required to be equal or "
                "greater than 262144, except for the final request (it's recommended to be the "
                "exact multiple of 262144).",
                "global",
            )
        part = self.store.upload_path(upload_id)
        with part.open("r+b" if part.exists() else "wb") as handle:
            handle.seek(start)
            remaining = length
            while remaining:
                block = self.rfile.read(min(BLOCK, remaining))
                if not block:
                    handle.truncate(start)
                    raise _ClientGone
                handle.write(block)
                remaining -= len(block)
            handle.truncate(end + 1)
        with self.store.lock:
            session["offset"] = end + 1
            session["chunks"] += 1
            self.store.data["counters"]["chunk_bytes_stored"] += length
            self.store.save()
        if final:
            self._send_json(200, self._complete(upload_id))
        else:
            self._answer_progress(upload_id)

    def _answer_progress(self, upload_id: str) -> None:
        with self.store.lock:
            session = self.store.data["sessions"][upload_id]
            if session["completed"]:
                resource = session["resource"]
            else:
                resource = None
                offset = session["offset"]
        if resource is not None:
            self._send_json(200, resource)
        elif offset:
            self._send(308, headers={"Range": f"bytes=0-{offset - 1}"})
        else:
            self._send(308)

    def _complete(self, upload_id: str) -> dict[str, Any]:
        """Turn a finished upload into the resource it creates; returns that resource."""
        with self.store.lock:
            session = self.store.data["sessions"][upload_id]
            kind = session["kind"]
            part = self.store.upload_path(upload_id)
            if kind == "videos.insert":
                resource = self._create_video(session, part)
            elif kind == "thumbnails.set":
                resource = self._attach_thumbnail(session, part)
            else:
                resource = self._attach_caption(session, part)
            session["completed"] = True
            session["resource"] = resource
            self.store.save()
        return resource

    def _create_video(self, session: dict[str, Any], part: Path) -> dict[str, Any]:
        metadata = session["metadata"]
        video_id = new_id()
        while video_id in self.store.data["videos"]:
            video_id = new_id()
        snippet = metadata.get("snippet") or {"title": "unknown"}
        resource = {
            "kind": "youtube#video",
            "etag": new_id(27),
            "id": video_id,
            "snippet": self._snippet(snippet, published_at=None),
            "status": self._status(metadata.get("status") or {}, previous=None),
            "processingDetails": {"processingStatus": "processing"},
        }
        directory = self.store.video_dir(video_id)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / "video.bin"
        part.replace(target)
        faults = self.store.data["faults"]
        self.store.data["videos"][video_id] = resource
        self.store.data["counters"]["videos_created"] = (
            self.store.data["counters"].get("videos_created", 0) + 1
        )
        self.store.data["video_files"][video_id] = {
            "file": str(target),
            "size": target.stat().st_size,
            "content_type": session["content_type"],
            "completed_at": time.time(),
            "outcome": faults.get("processing", "succeeded"),
            "processing_seconds": float(
                faults.get("processing_seconds", self.store.processing_seconds)
            ),
        }
        self.store.write_video_resource(video_id)
        return resource

    def _attach_thumbnail(self, session: dict[str, Any], part: Path) -> dict[str, Any]:
        video_id = session["target"]
        video = self.store.data["videos"].get(video_id)
        if video is None:
            raise ApiError(404, "videoNotFound", "Video not found.", "youtube.thumbnail")
        if part.stat().st_size > 2 * 1024 * 1024:
            raise ApiError(400, "mediaBodyTooBig", "The thumbnail is too big.", "youtube.thumbnail")
        target = self.store.video_dir(video_id) / "thumbnail"
        part.replace(target)
        self.store.data["video_files"][video_id]["thumbnail_type"] = session["content_type"]
        url = f"{self.server.base_url}_standin/thumbnail/{video_id}"
        sizes = {
            "default": {"url": url, "width": 120, "height": 90},
            "medium": {"url": url, "width": 320, "height": 180},
            "high": {"url": url, "width": 480, "height": 360},
        }
        video["snippet"]["thumbnails"] = sizes
        self.store.write_video_resource(video_id)
        return {"kind": "youtube#thumbnailSetResponse", "etag": new_id(27), "items": [sizes]}

    def _attach_caption(self, session: dict[str, Any], part: Path) -> dict[str, Any]:
        snippet = session["metadata"].get("snippet") or {}
        video_id = session["target"]
        if video_id not in self.store.data["videos"]:
            raise ApiError(404, "videoNotFound", "Video not found.", "youtube.caption")
        caption_id = "AUieDa" + new_id(30)
        directory = self.store.video_dir(video_id) / "captions"
        directory.mkdir(parents=True, exist_ok=True)
        part.replace(directory / caption_id)
        resource = {
            "kind": "youtube#caption",
            "etag": new_id(27),
            "id": caption_id,
            "snippet": {
                "videoId": video_id,
                "lastUpdated": rfc3339(time.time()),
                "trackKind": "standard",
                "language": snippet.get("language", ""),
                "name": snippet.get("name", ""),
                "audioTrackType": "unknown",
                "isCC": False,
                "isLarge": False,
                "isEasyReader": False,
                "isDraft": bool(snippet.get("isDraft", False)),
                "isAutoSynced": False,
                "status": "serving",
            },
        }
        self.store.data["captions"][caption_id] = resource
        return resource

    # ----------------------------------------------------------------- OAuth

    def _oauth_authorize(self) -> None:
        redirect_uri = self.query.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://", "https://")):
            self._send(400, b"redirect_uri_mismatch", content_type="text/plain")
            return
        code = "4/standin-" + secrets.token_urlsafe(24)
        with self.store.lock:
            self.store.data["auth_codes"][code] = {
                "redirect_uri": redirect_uri,
                "client_id": self.query.get("client_id", ""),
                "scope": self.query.get("scope", ""),
                "code_challenge": self.query.get("code_challenge"),
                "code_challenge_method": self.query.get("code_challenge_method", "plain"),
                "expires_at": time.time() + 600,
            }
            self.store.save()
        params = {"code": code, "scope": self.query.get("scope", "")}
        if "state" in self.query:
            params["state"] = self.query["state"]
        separator = "&" if "?" in redirect_uri else "?"
        location = redirect_uri + separator + urllib.parse.urlencode(params)
        page = f'<p>Approved. Continue to <a href="{html.escape(location)}">the app</a>.</p>'
        self._send(
            302,
            page.encode(),
            content_type="text/html; charset=utf-8",
            headers={"Location": location},
        )

    def _oauth_token(self) -> None:
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(self.body.decode("utf-8")).items()}
        grant = form.get("grant_type")
        if grant == "refresh_token":
            refresh_token = form.get("refresh_token", "")
            if not refresh_token or self.store.refresh_token_revoked(refresh_token):
                self._token_error("invalid_grant", "Token has been expired or revoked.")
                return
            self._send_json(200, self.store.issue_access_token(refresh_token=refresh_token))
        elif grant == "authorization_code":
            with self.store.lock:
                entry = self.store.data["auth_codes"].pop(form.get("code", ""), None)
                self.store.save()
            if entry is None or entry["expires_at"] < time.time():
                self._token_error("invalid_grant", "Malformed auth code.")
                return
            if entry["redirect_uri"] != form.get("redirect_uri"):
                self._token_error("redirect_uri_mismatch", "Bad Request")
                return
            if not _pkce_ok(entry, form.get("code_verifier")):
                self._token_error("invalid_grant", "Invalid code verifier.")
                return
            refresh_token = "1//standin-" + secrets.token_urlsafe(32)
            payload = self.store.issue_access_token(refresh_token=refresh_token)
            payload["refresh_token"] = refresh_token
            if entry["scope"]:
                payload["scope"] = entry["scope"]
            self._send_json(200, payload)
        else:
            self._token_error("unsupported_grant_type", "Invalid grant_type: " + str(grant))

    def _token_error(self, error: str, description: str) -> None:
        self._send_json(400, {"error": error, "error_description": description})

    # ----------------------------------------------------------------- control & page

    def _control(self, method: str, action: str) -> None:
        if method == "GET" and action == "state":
            self._send_json(200, self._state_summary())
        elif method == "POST" and action == "faults":
            self.store.set_faults(self._json_body())
            self._send_json(200, self._state_summary())
        elif method == "POST" and action == "reset-quota":
            self.store.reset_quota()
            self._send_json(200, self._state_summary())
        elif method == "POST" and action == "reset-counters":
            with self.store.lock:
                counters = self.store.data["counters"]
                for key in counters:
                    counters[key] = {} if key == "calls" else 0
                self.store.save()
            self._send_json(200, self._state_summary())
        elif method == "GET" and action.startswith("media/"):
            self._serve_file(action.removeprefix("media/"), "video.bin")
        elif method == "GET" and action.startswith("thumbnail/"):
            self._serve_file(action.removeprefix("thumbnail/"), "thumbnail")
        else:
            raise ApiError(404, "notFound", "Unknown control endpoint.", "global")

    def _state_summary(self) -> dict[str, Any]:
        with self.store.lock:
            data = self.store.data
            sessions = {
                upload_id: {
                    key: session[key]
                    for key in (
                        "kind",
                        "offset",
                        "total",
                        "chunks",
                        "bytes_received",
                        "completed",
                        "expired",
                    )
                }
                | {"resource_id": (session.get("resource") or {}).get("id")}
                for upload_id, session in data["sessions"].items()
            }
            videos = {}
            for video_id in data["videos"]:
                view = self.store.processing_view(video_id)
                videos[video_id] = {
                    "title": view["snippet"]["title"],
                    "privacyStatus": view["status"]["privacyStatus"],
                    "processingStatus": view["processingDetails"]["processingStatus"],
                    "size": data["video_files"][video_id]["size"],
                    "playlists": [
                        item["snippet"]["playlistId"]
                        for item in data["playlist_items"].values()
                        if item["contentDetails"]["videoId"] == video_id
                    ],
                    "captions": [
                        caption_id
                        for caption_id, caption in data["captions"].items()
                        if caption["snippet"]["videoId"] == video_id
                    ],
                    "has_thumbnail": bool(view["snippet"].get("thumbnails")),
                }
            return {
                "quota_model": self.store.quota_model,
                "quota": data["quota"],
                "faults": data["faults"],
                "counters": data["counters"],
                "sessions": sessions,
                "videos": videos,
                "playlists": {pid: p["snippet"]["title"] for pid, p in data["playlists"].items()},
            }

    def _serve_file(self, video_id: str, name: str) -> None:
        with self.store.lock:
            info = self.store.data["video_files"].get(video_id)
        path = self.store.video_dir(video_id) / name
        if info is None or "/" in video_id or not path.exists():
            raise ApiError(404, "notFound", "No such media.", "global")
        content_type = info.get("content_type" if name == "video.bin" else "thumbnail_type")
        if not content_type or content_type == "application/octet-stream":
            content_type = "video/mp4" if name == "video.bin" else "image/jpeg"
        size = path.stat().st_size
        start, end = 0, size - 1
        status = 200
        requested = self.headers.get("Range", "")
        if requested.startswith("bytes=") and "," not in requested and size:
            first, _, last = requested[6:].partition("-")
            if first:
                start = int(first)
                end = min(int(last), size - 1) if last else size - 1
            elif last:
                start = max(0, size - int(last))
            if start > end:
                self._send(416, headers={"Content-Range": f"bytes */{size}"})
                return
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        with path.open("rb") as handle:
            handle.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                block = handle.read(min(BLOCK, remaining))
                if not block:
                    break
                self.wfile.write(block)
                remaining -= len(block)

    def _html_page(self) -> str:
        summary = self._state_summary()
        playlists = summary["playlists"]
        rows = []
        for video_id, video in summary["videos"].items():
            esc_id = html.escape(video_id)
            listed = ", ".join(html.escape(playlists.get(p, p)) for p in video["playlists"])
            rows.append(
                "<article>"
                f"<h2>{html.escape(video['title'])}</h2>"
                f"<p>id <code>{esc_id}</code> · {html.escape(video['privacyStatus'])} · "
                f"processing {html.escape(video['processingStatus'])} · "
                f"{video['size'] / 1048576:.1f} MiB · captions {len(video['captions'])} · "
                f"playlists: {listed or '—'}</p>"
                f'<video controls preload="none" width="480" '
                f'src="/_standin/media/{esc_id}"'
                + (f' poster="/_standin/thumbnail/{esc_id}"' if video["has_thumbnail"] else "")
                + "></video></article>"
            )
        quota = summary["quota"]
        return (
            "<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<title>YouTube stand-in</title>"
            "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}"
            "article{border-bottom:1px solid #ccc;padding:1rem 0}</style></head><body>"
            f"<h1>{html.escape(CHANNEL_TITLE)}</h1>"
            f"<p>Quota model {html.escape(summary['quota_model'])}, day "
            f"{html.escape(quota['day'])}: {quota['units']} units, {quota['uploads']} uploads "
            f"used. {len(summary['sessions'])} upload sessions.</p>"
            + ("".join(rows) or "<p>No videos yet.</p>")
            + "</body></html>"
        )


def _parse_content_range(header: str) -> tuple[int | None, int | None, int | None]:
    """Parse ``bytes a-b/total``, ``bytes a-b/*`` or ``bytes */total``.

    Raises ApiError(400) for anything else.
    """
    if not header:
        return None, None, None
    try:
        unit, _, spec = header.strip().partition(" ")
        span, _, total_text = spec.partition("/")
        if unit != "bytes" or not total_text:
            raise ValueError(header)
        total = None if total_text == "*" else int(total_text)
        if span == "*":
            return None, None, total
        first, _, last = span.partition("-")
        start, end = int(first), int(last)
        if start > end or start < 0:
            raise ValueError(header)
        return start, end, total
    except ValueError:
        raise ApiError(400, "badContent", f"Invalid Content-Range: {header}", "global") from None


def _pkce_ok(entry: dict[str, Any], verifier: str | None) -> bool:
    challenge = entry.get("code_challenge")
    if not challenge:
        return True
    if not verifier:
        return False
    if entry.get("code_challenge_method") == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        return secrets.compare_digest(computed, challenge)
    return secrets.compare_digest(verifier, challenge)
