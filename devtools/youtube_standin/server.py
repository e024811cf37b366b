"""HTTP side of the YouTube stand-in: routing, resumable uploads, OAuth, control endpoints, page.

Only the parts of the YouTube Data API v3 the product calls are implemented, with Google's wire
behaviour: JSON error bodies, 308 "Resume Incomplete" with a ``Range`` header, 256 KiB chunk
granularity, quota reasons. Uploaded bytes are streamed to disk in 1 MiB blocks.
"""

from __future__ import annotations

import logging
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .discovery import rewritten_document
from .routes_api import ApiRoutes
from .routes_control import ControlRoutes
from .routes_upload import UploadRoutes
from .state import ApiError, Store
from .validation import validate

logger = logging.getLogger("devtools.youtube_standin")


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


class StandinHandler(ApiRoutes, UploadRoutes, ControlRoutes):
    """Routes a request to the API, upload, OAuth or control handlers."""

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
            body = self._json_body() if self.body else None
            validate(http_method=method, path=route, query=self.query, body=body)
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
