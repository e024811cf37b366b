"""Photos are a story attachment: their re-encoding lives in ``stories.photos``."""

from stories.photos import PhotoResult, sanitize_photo

__all__ = ["PhotoResult", "sanitize_photo"]
