"""The publishing fixtures live in tests/support/publishing_fixtures.py (one set per session)."""

# A worker registers the publication job kinds with the reconciler by loading its task
# modules; the tests call reconcile_all in this process, so they load it the same way.
import workers.tasks.publish  # noqa: F401
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
