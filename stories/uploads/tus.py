"""The tus 1.0 wire format: header names, parsing and the errors the protocol defines.

Nothing here touches the database or the disk; ``services`` does the work and raises the
errors below, and ``views`` turns them into responses.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kernel.errors import ApplicationError

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = ("creation", "termination", "expiration", "checksum")
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
# Not part of tus: the secret that binds every request about an upload to its owner.
TOKEN_HEADER = "Upload-Token"  # noqa: S105 - a header name, not a secret

# Name in Upload-Checksum -> hash constructor. md5 and sha1 only verify transport integrity.
CHECKSUM_ALGORITHMS: dict[str, Callable[[], Any]] = {
    "sha1": lambda: hashlib.sha1(usedforsecurity=False),
    "md5": lambda: hashlib.md5(usedforsecurity=False),
    "sha256": hashlib.sha256,
}

_METADATA_KEY = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_DIGITS = re.compile(r"^[0-9]{1,19}$")


class TusError(ApplicationError):
    """A request the protocol answers with an error status; ``code`` is machine-readable."""

    code = "bad_request"
    reason: str | None = None  # reason phrase for statuses Django does not know (460)

    def __init__(
        self,
        message: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, extra={"code": self.code, **(extra or {})})
        self.headers = headers or {}


class BadRequest(TusError):
    status_code = 400


class TokenMissing(TusError):
    status_code = 403
    code = "token_missing"


class OwnerRefused(TusError):
    status_code = 403
    code = "owner_refused"


class UploadNotFound(TusError):
    status_code = 404
    code = "not_found"


class OffsetConflict(TusError):
    status_code = 409
    code = "offset_conflict"


class UploadInUse(TusError):
    status_code = 409
    code = "in_use"


class UploadGone(TusError):
    status_code = 410
    code = "expired"


class LengthRequired(TusError):
    status_code = 411
    code = "length_required"


class VersionUnsupported(TusError):
    status_code = 412
    code = "version_unsupported"


class TooLarge(TusError):
    status_code = 413
    code = "too_large"


class WrongContentType(TusError):
    status_code = 415
    code = "wrong_content_type"


class UploadLocked(TusError):
    status_code = 423
    code = "locked"


class RateLimited(TusError):
    status_code = 429
    code = "rate_limited"


class ChecksumMismatch(TusError):
    status_code = 460
    code = "checksum_mismatch"
    reason = "Checksum Mismatch"


class InsufficientStorage(TusError):
    status_code = 507
    code = "insufficient_storage"


@dataclass(frozen=True)
class Checksum:
    algorithm: str
    digest: bytes

    def new_hasher(self) -> Any:
        return CHECKSUM_ALGORITHMS[self.algorithm]()


def parse_uint(value: str | None, *, header: str) -> int:
    """A non-negative integer header value; 400 when it is missing or malformed."""
    if value is None or not _DIGITS.match(value.strip()):
        raise BadRequest(f"The {header} header must be a non-negative integer.")
    return int(value.strip())


def parse_metadata(value: str | None) -> dict[str, str]:
    """Decode ``Upload-Metadata``: comma-separated ``key base64(value)`` pairs."""
    result: dict[str, str] = {}
    if not value or not value.strip():
        return result
    for pair in value.split(","):
        parts = pair.strip().split(" ")
        key = parts[0]
        if not key or len(parts) > 2 or not _METADATA_KEY.match(key) or key in result:
            raise BadRequest("Upload-Metadata is malformed.")
        if len(parts) == 1:
            result[key] = ""
            continue
        try:
            result[key] = base64.b64decode(parts[1], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise BadRequest(f"Upload-Metadata value for {key!r} is not base64 UTF-8.") from exc
    return result


def parse_checksum(value: str | None) -> Checksum | None:
    """Decode ``Upload-Checksum: <algorithm> <base64 digest>``; None when absent."""
    if value is None:
        return None
    parts = value.strip().split(" ")
    if len(parts) != 2:
        raise BadRequest("Upload-Checksum must be '<algorithm> <base64 digest>'.")
    algorithm = parts[0].lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise BadRequest(
            f"Checksum algorithm {parts[0]!r} is not supported.",
            extra={"supported": list(CHECKSUM_ALGORITHMS)},
        )
    try:
        digest = base64.b64decode(parts[1], validate=True)
    except binascii.Error as exc:
        raise BadRequest("Upload-Checksum digest is not valid base64.") from exc
    return Checksum(algorithm=algorithm, digest=digest)
