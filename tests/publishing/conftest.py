"""The publishing fixtures live in tests/support/publishing_fixtures.py (one set per session)."""

from tests.support.publishing_fixtures import (
    CHUNK,
    PublishWorker,
    make_approved_story,
    publication_of,
    videos_titled,
    wait_for_status,
)

__all__ = [
    "CHUNK",
    "PublishWorker",
    "make_approved_story",
    "publication_of",
    "videos_titled",
    "wait_for_status",
]
