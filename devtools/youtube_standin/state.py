"""What the YouTube stand-in remembers: videos, playlists, upload sessions, tokens, quota, faults.

Everything lives in one ``Store`` guarded by a lock and is persisted as JSON in the data dir after
every change (written to a temporary file, then renamed), so a restarted stand-in still knows the
upload sessions a crashed worker will come back to. Uploaded bytes never pass through this module's
memory: the HTTP layer streams them into the files whose paths the store hands out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import string
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")

DAILY_UNITS = 10_000
DAILY_UPLOADS = 100  # "buckets" model: videos.insert calls have their own daily bucket

COSTS: dict[str, int] = {
    "videos.insert": 1600,
    "videos.update": 50,
    "videos.delete": 50,
    "videos.list": 1,
    "thumbnails.set": 50,
    "captions.insert": 400,
    "playlists.insert": 50,
    "playlists.list": 1,
    "playlistItems.insert": 50,
    "playlistItems.delete": 50,
    "playlistItems.list": 1,
}

# Categories a video may be assigned to (the "assignable" ones of videoCategories.list for most
# regions). 29 is "Nonprofits & Activism".
ASSIGNABLE_CATEGORIES = frozenset(
    {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"}
)
PRIVACY_STATUSES = frozenset({"private", "public", "unlisted"})

UPLOAD_GRANULARITY = 256 * 1024
ACCESS_TOKEN_TTL = 3599

_ID_ALPHABET = string.ascii_letters + string.digits + "-_"


def new_id(length: int = 11) -> str:
    """A YouTube-looking random identifier."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def pacific_day(now: float | None = None) -> str:
    """The current quota day (quota resets at midnight America/Los_Angeles)."""
    moment = dt.datetime.fromtimestamp(time.time() if now is None else now, tz=PACIFIC)
    return moment.date().isoformat()


def rfc3339(timestamp: float) -> str:
    """A UTC timestamp formatted like YouTube's publishedAt."""
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ApiError(Exception):
    """An error the stand-in answers in YouTube's JSON error shape."""

    status: int
    reason: str
    message: str
    domain: str = "youtube.video"

    def body(self) -> dict[str, Any]:
        """The JSON body YouTube sends for this error."""
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [{"message": self.message, "domain": self.domain, "reason": self.reason}],
            }
        }


def quota_exceeded() -> ApiError:
    return ApiError(
        403,
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your "
        '<a href="/youtube/v3/getting-started#quota">quota</a>.',
        "youtube.quota",
    )


def tag_length(tags: list[str]) -> int:
    """Length of a tag list as YouTube counts it: quoted if it has a space, comma separated."""
    total = sum(len(tag) + (2 if " " in tag else 0) for tag in tags)
    return total + max(len(tags) - 1, 0)


def validate_snippet(snippet: Any, *, for_update: bool = False) -> None:
    """Refuse a snippet YouTube would refuse.

    Raises ApiError(400) with YouTube's reasons: invalidTitle, invalidDescription, invalidTags,
    invalidCategoryId.
    """
    if not isinstance(snippet, dict):
        raise ApiError(400, "invalidVideoMetadata", "The request metadata is invalid.")
    title = snippet.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 100 or _angled(title):
        raise ApiError(
            400, "invalidTitle", "The request metadata specifies an invalid video title."
        )
    description = snippet.get("description", "")
    if (
        not isinstance(description, str)
        or len(description.encode("utf-8")) > 5000
        or _angled(description)
    ):
        raise ApiError(
            400,
            "invalidDescription",
            "The request metadata specifies an invalid video description.",
        )
    tags = snippet.get("tags", [])
    if (
        not isinstance(tags, list)
        or not all(isinstance(tag, str) for tag in tags)
        or tag_length(tags) > 500
        or any(_angled(tag) for tag in tags)
    ):
        raise ApiError(400, "invalidTags", "The request metadata specifies invalid video keywords.")
    category = snippet.get("categoryId")
    if (category is None and for_update) or (
        category is not None and str(category) not in ASSIGNABLE_CATEGORIES
    ):
        raise ApiError(
            400,
            "invalidCategoryId",
            "The snippet.categoryId property specifies an invalid category ID.",
        )


def validate_status(status: Any) -> None:
    """Refuse a status part YouTube would refuse (privacy, publishAt)."""
    if status is None:
        return
    if not isinstance(status, dict):
        raise ApiError(400, "invalidVideoMetadata", "The request metadata is invalid.")
    privacy = status.get("privacyStatus", "private")
    if privacy not in PRIVACY_STATUSES:
        raise ApiError(400, "invalidVideoMetadata", "The privacyStatus value is invalid.")
    publish_at = status.get("publishAt")
    if publish_at is not None:
        if privacy != "private":
            raise ApiError(
                400,
                "invalidPublishAt",
                "A scheduled publishing time can only be set for private videos.",
            )
        try:
            moment = dt.datetime.fromisoformat(str(publish_at).replace("Z", "+00:00"))
        except ValueError:
            raise ApiError(
                400, "invalidPublishAt", "The publishAt time is not a valid RFC 3339 time."
            ) from None
        if moment.tzinfo is None:
            raise ApiError(400, "invalidPublishAt", "The publishAt time needs a time zone.")


def _angled(text: str) -> bool:
    return "<" in text or ">" in text


def _atomic_write_json(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _empty_state() -> dict[str, Any]:
    return {
        "videos": {},
        "video_files": {},
        "playlists": {},
        "playlist_items": {},
        "captions": {},
        "sessions": {},
        "access_tokens": {},
        "revoked_refresh_tokens": [],
        "auth_codes": {},
        "quota": {"day": pacific_day(), "units": 0, "uploads": 0},
        "faults": {},
        "fault_chunk_counter": 0,
        "counters": {
            "chunks_received": 0,
            "chunk_bytes_received": 0,
            "chunk_bytes_stored": 0,
            "chunks_misplaced": 0,
            "status_queries": 0,
            "sessions_created": 0,
            "videos_created": 0,
            "dropped_connections": 0,
            "injected_errors": 0,
            "calls": {},
        },
    }


class Store:
    """The stand-in's whole state, thread-safe, persisted to ``<data_dir>/state.json``.

    Callers take ``store.lock`` for compound read-modify-write sequences and call ``save()``
    after changing ``store.data``.
    """

    def __init__(
        self,
        *,
        data_dir: Path,
        quota_model: str = "legacy",
        faults: dict[str, Any] | None = None,
        processing_seconds: float = 1.0,
    ) -> None:
        if quota_model not in {"legacy", "buckets"}:
            raise ValueError(f"unknown quota model {quota_model!r}")
        self.data_dir = data_dir
        self.quota_model = quota_model
        self.processing_seconds = processing_seconds
        self.lock = threading.RLock()
        self.session_locks: dict[str, threading.Lock] = {}
        self.path = data_dir / "state.json"
        (data_dir / "uploads").mkdir(parents=True, exist_ok=True)
        (data_dir / "videos").mkdir(parents=True, exist_ok=True)
        self.data = self._load()
        if faults:
            self.set_faults(faults)
        self.save()

    # ----------------------------------------------------------------- persistence

    def _load(self) -> dict[str, Any]:
        state = _empty_state()
        if self.path.exists():
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            state.update(loaded)
        # A crash mid-chunk may have left bytes past the confirmed offset: drop them.
        for upload_id, session in state["sessions"].items():
            part = self.upload_path(upload_id)
            stale = not session.get("completed") and part.exists()
            if stale and part.stat().st_size > session["offset"]:
                with part.open("r+b") as handle:
                    handle.truncate(session["offset"])
        return state

    def save(self) -> None:
        """Persist the state atomically; raises OSError if the data dir is not writable."""
        with self.lock:
            _atomic_write_json(self.path, self.data)

    def upload_path(self, upload_id: str) -> Path:
        return self.data_dir / "uploads" / f"{upload_id}.part"

    def video_dir(self, video_id: str) -> Path:
        return self.data_dir / "videos" / video_id

    def session_lock(self, upload_id: str) -> threading.Lock:
        with self.lock:
            return self.session_locks.setdefault(upload_id, threading.Lock())

    # ----------------------------------------------------------------- counters, faults

    def count(self, name: str, amount: int = 1) -> None:
        with self.lock:
            self.data["counters"][name] = self.data["counters"].get(name, 0) + amount

    def count_call(self, method: str) -> None:
        with self.lock:
            calls = self.data["counters"]["calls"]
            calls[method] = calls.get(method, 0) + 1

    def set_faults(self, faults: dict[str, Any]) -> None:
        """Replace the fault configuration (see the package docstring for the keys).

        One-shot actions (``quota_exhausted``, ``quota_used``, ``expire_access_tokens``,
        ``expire_sessions``, ``revoke_refresh_tokens``) are applied now and not kept; the rest
        stay until replaced.
        """
        with self.lock:
            faults = dict(faults)
            if faults.pop("quota_exhausted", False):
                self._roll_quota_day()
                self.data["quota"]["units"] = DAILY_UNITS
                self.data["quota"]["uploads"] = DAILY_UPLOADS
            used = faults.pop("quota_used", None)
            if used:
                self._roll_quota_day()
                self.data["quota"]["units"] = int(used.get("units", 0))
                self.data["quota"]["uploads"] = int(used.get("uploads", 0))
            if faults.pop("expire_access_tokens", False):
                self.data["access_tokens"] = {}
            if faults.pop("expire_sessions", False):
                for session in self.data["sessions"].values():
                    if not session.get("completed"):
                        session["expired"] = True
            revoked = faults.pop("revoke_refresh_tokens", [])
            self.data["revoked_refresh_tokens"] = sorted(
                set(self.data["revoked_refresh_tokens"]) | set(revoked)
            )
            if "processing_seconds" in faults:
                self.processing_seconds = float(faults["processing_seconds"])
            self.data["faults"] = faults
            self.data["fault_chunk_counter"] = 0
            self.save()

    def next_chunk_fault(self) -> tuple[str, int] | None:
        """Count a chunk PUT and say which fault, if any, hits it: ("drop", 0) or ("status", N)."""
        with self.lock:
            self.data["fault_chunk_counter"] += 1
            number = self.data["fault_chunk_counter"]
            faults = self.data["faults"]
            if number in faults.get("drop_chunks", []):
                return ("drop", 0)
            status = faults.get("chunk_errors", {}).get(str(number))
            if status:
                return ("status", int(status))
            return None

    def method_fault(self, method: str) -> ApiError | None:
        """The refusal configured for ``method`` under ``"fail_methods"``, if any.

        ``{"playlistItems.list": 403}`` or ``{"videos.update": {"status": 500, "reason": "x"}}``;
        a refused call is not charged (YouTube charges what it processed).
        """
        with self.lock:
            fault = self.data["faults"].get("fail_methods", {}).get(method)
        if fault is None:
            return None
        if not isinstance(fault, dict):
            fault = {"status": int(fault)}
        status = int(fault.get("status", 403))
        default_reason = {403: "forbidden", 404: "notFound", 400: "badRequest"}.get(
            status, "backendError"
        )
        reason = str(fault.get("reason", default_reason))
        return ApiError(status, reason, f"Refused by the stand-in's fault injection: {method}")

    # ----------------------------------------------------------------- quota

    def _roll_quota_day(self) -> None:
        today = pacific_day()
        if self.data["quota"]["day"] != today:
            self.data["quota"] = {"day": today, "units": 0, "uploads": 0}

    def reset_quota(self) -> None:
        """Start a new quota day (what midnight Pacific does) and lift the upload limit."""
        with self.lock:
            self.data["quota"] = {"day": pacific_day(), "units": 0, "uploads": 0}
            self.data["faults"].pop("upload_limit", None)
            self.save()

    def check_quota(self, method: str) -> None:
        """Raise ApiError 403 quotaExceeded if ``method`` does not fit in today's budget, or
        the refusal ``"fail_methods"`` configures for it (every API and upload call passes here).
        """
        fault = self.method_fault(method)
        if fault is not None:
            self.count(f"refused:{method}")
            raise fault
        with self.lock:
            self._roll_quota_day()
            quota = self.data["quota"]
            cost = COSTS[method]
            if self.quota_model == "buckets" and method == "videos.insert":
                if quota["uploads"] + 1 > DAILY_UPLOADS:
                    raise quota_exceeded()
            elif quota["units"] + cost > DAILY_UNITS:
                raise quota_exceeded()
            if method == "videos.insert" and self.data["faults"].get("upload_limit"):
                raise ApiError(
                    400,
                    "uploadLimitExceeded",
                    "The user has exceeded the number of videos they may upload.",
                    "youtube.video",
                )

    def charge(self, method: str) -> None:
        """Book the cost of a call that YouTube accepted for processing."""
        with self.lock:
            self._roll_quota_day()
            quota = self.data["quota"]
            if self.quota_model == "buckets" and method == "videos.insert":
                quota["uploads"] += 1
            else:
                quota["units"] += COSTS[method]
            self.count_call(method)
            self.save()

    # ----------------------------------------------------------------- tokens

    def issue_access_token(self, *, refresh_token: str) -> dict[str, Any]:
        token = "ya29.standin-" + secrets.token_urlsafe(24)
        with self.lock:
            self.data["access_tokens"][token] = {
                "refresh_token": refresh_token,
                "expires_at": time.time() + ACCESS_TOKEN_TTL,
            }
            self.save()
        return {
            "access_token": token,
            "expires_in": ACCESS_TOKEN_TTL,
            "token_type": "Bearer",
            "scope": "https://www.googleapis.com/auth/youtube.force-ssl "
            "https://www.googleapis.com/auth/youtube.upload",
        }

    def refresh_token_revoked(self, refresh_token: str) -> bool:
        with self.lock:
            faults = self.data["faults"]
            return bool(faults.get("revoke_all_refresh_tokens")) or (
                refresh_token in self.data["revoked_refresh_tokens"]
            )

    def access_token_valid(self, token: str) -> bool:
        with self.lock:
            entry = self.data["access_tokens"].get(token)
            if entry is None or entry["expires_at"] < time.time():
                return False
            return not self.refresh_token_revoked(entry["refresh_token"])

    # ----------------------------------------------------------------- videos

    def processing_view(self, video_id: str) -> dict[str, Any]:
        """The video resource with processing state worked out from the time it finished."""
        with self.lock:
            video = json.loads(json.dumps(self.data["videos"][video_id]))
            info = self.data["video_files"][video_id]
        outcome = info.get("outcome", "succeeded")
        done = time.time() - info["completed_at"] >= info.get(
            "processing_seconds", self.processing_seconds
        )
        details = video.setdefault("processingDetails", {})
        status = video.setdefault("status", {})
        if not done:
            details["processingStatus"] = "processing"
            status["uploadStatus"] = "uploaded"
        elif outcome == "failed":
            details["processingStatus"] = "failed"
            details["processingFailureReason"] = "transcodeFailed"
            status["uploadStatus"] = "failed"
            status["failureReason"] = "codec"
        elif outcome == "rejected":
            details["processingStatus"] = "succeeded"
            status["uploadStatus"] = "rejected"
            status["rejectionReason"] = info.get("rejection_reason", "duplicate")
        else:
            details["processingStatus"] = "succeeded"
            status["uploadStatus"] = "processed"
        return video

    def write_video_resource(self, video_id: str) -> None:
        """Mirror a video's resource into ``videos/<id>/resource.json`` for humans."""
        with self.lock:
            resource = self.data["videos"].get(video_id)
            if resource is not None:
                _atomic_write_json(self.video_dir(video_id) / "resource.json", resource)
