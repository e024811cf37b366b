"""The media pipeline's errors live in ``kernel.media_errors`` (stories needs them too)."""

from kernel.media_errors import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    REJECTION_MESSAGES,
    InsufficientDiskSpace,
    MediaError,
    MediaRejected,
    PhotoRejected,
    RejectionCode,
    TranscodeCancelled,
    TranscodeFailed,
    TranscodeTimedOut,
    rejection_message,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "REJECTION_MESSAGES",
    "InsufficientDiskSpace",
    "MediaError",
    "MediaRejected",
    "PhotoRejected",
    "RejectionCode",
    "TranscodeCancelled",
    "TranscodeFailed",
    "TranscodeTimedOut",
    "rejection_message",
]
