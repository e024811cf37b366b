"""The API routes of the stand-in: videos and playlists (plain JSON calls)."""

from __future__ import annotations

import shutil
import time
from typing import Any

from .base import CHANNEL_ID, CHANNEL_TITLE, HandlerBase
from .state import (
    ApiError,
    new_id,
    rfc3339,
    validate_snippet,
    validate_status,
)


class ApiRoutes(HandlerBase):
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
