"""Plumbing every route module of the stand-in shares: reading bodies, answering, auth."""

from __future__ import annotations

import json
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from .state import ApiError, Store, rfc3339

if TYPE_CHECKING:
    from .server import StandinServer

BLOCK = 1024 * 1024
MAX_INLINE_BODY = 64 * 1024 * 1024
CHANNEL_ID = "UCstandinZusammenMehr000"
CHANNEL_TITLE = "ZUSAMMEN. MEHR. (stand-in)"

UPLOAD_KINDS = {
    "videos": "videos.insert",
    "thumbnails/set": "thumbnails.set",
    "captions": "captions.insert",
}


class _ClientGone(Exception):
    """The client stopped sending before the announced body length."""


class HandlerBase(BaseHTTPRequestHandler):
    """Request plumbing; the route mixins and ``server.StandinHandler`` build on it."""

    protocol_version = "HTTP/1.1"
    server: StandinServer
    route: str
    query: dict[str, str]
    body: bytes

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

    def _route(self, method: str) -> None:
        raise NotImplementedError

    def _session_put(self, upload_id: str) -> None:
        raise NotImplementedError
