"""OAuth, the control endpoints and the human page of the stand-in."""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
import urllib.parse
from typing import Any

from .base import BLOCK, CHANNEL_TITLE, HandlerBase
from .state import (
    ApiError,
)


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


class ControlRoutes(HandlerBase):
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
        elif method == "POST" and action.startswith(("lose-video/", "lose-playlist/", "video/")):
            self._change_behind_the_products_back(action)
            self._send_json(200, self._state_summary())
        elif method == "GET" and action.startswith("media/"):
            self._serve_file(action.removeprefix("media/"), "video.bin")
        elif method == "GET" and action.startswith("thumbnail/"):
            self._serve_file(action.removeprefix("thumbnail/"), "thumbnail")
        else:
            raise ApiError(404, "notFound", "Unknown control endpoint.", "global")

    def _change_behind_the_products_back(self, action: str) -> None:
        """What a channel owner can do by hand in YouTube Studio, without the product knowing.

        ``lose-video/<id>`` deletes the video, ``lose-playlist/<id>`` deletes the playlist (and
        its items), ``video/<id>`` with ``{"privacyStatus": "private"}`` changes the privacy, or
        with ``{"outcome": "rejected", "reason": "duplicate"}`` (or ``"failed"``) makes YouTube's
        processing reject the video. Unknown ids answer 404.
        """
        kind, _, target = action.partition("/")
        body = self._json_body()
        with self.store.lock:
            data = self.store.data
            if kind == "lose-playlist":
                if data["playlists"].pop(target, None) is None:
                    raise ApiError(404, "playlistNotFound", "No such playlist.", "global")
                for item_id, item in list(data["playlist_items"].items()):
                    if item["snippet"]["playlistId"] == target:
                        del data["playlist_items"][item_id]
            elif target not in data["videos"]:
                raise ApiError(404, "videoNotFound", "No such video.", "global")
            elif kind == "lose-video":
                del data["videos"][target]
                data["video_files"].pop(target, None)
            else:
                video = data["videos"][target]
                if body.get("privacyStatus"):
                    video["status"]["privacyStatus"] = str(body["privacyStatus"])
                if body.get("outcome") in ("rejected", "failed", "succeeded"):
                    info = data["video_files"][target]
                    info["outcome"] = body["outcome"]
                    info["rejection_reason"] = str(body.get("reason") or "duplicate")
            self.store.save()

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
