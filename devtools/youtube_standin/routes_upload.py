"""Upload routes of the stand-in: resumable, multipart and media uploads."""

from __future__ import annotations

import email.parser
import email.policy
import json
import secrets
import time
import urllib.parse
from pathlib import Path
from typing import Any

from .base import BLOCK, UPLOAD_KINDS, HandlerBase, _ClientGone
from .state import (
    UPLOAD_GRANULARITY,
    ApiError,
    new_id,
    rfc3339,
    validate_snippet,
    validate_status,
)
from .validation import validate


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


class UploadRoutes(HandlerBase):
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
        # Refuse what YouTube's own description (the discovery document) does not allow.
        validate(http_method="POST", path=self.route, query=self.query, body=metadata or None)
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
