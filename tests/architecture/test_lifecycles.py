"""Every lifecycle field is written by its one transition service, and nowhere else.

The scan (``tests.support.status_writes``) finds every assignment to ``.status``/``.state``,
every ``status=``/``state=`` given to ``update``/``create`` and every ``update(**...)`` in the
product. Each one must be in its lifecycle's transition module or reviewed below with the
reason it is not a lifecycle change; a new write anywhere else fails here.
"""

from __future__ import annotations

from tests.support.status_writes import writes

TRANSITION_MODULES = {
    "stories/transitions.py": "Story.status (story_transition)",
    "stories/media_lifecycle.py": "StoryMedia.state (media_transition)",
    "publishing/youtube/lifecycle.py": "Publication.status (publication_transition)",
    "publishing/partners/lifecycle.py": "PartnerKit.status (kit_transition)",
}

# (module, the code of the line) -> why this write is not a lifecycle change.
REVIEWED = {
    ("stories/notifications.py", "claimed = claimable.filter("): "claims a *_sent_at field",
    ("stories/notifications.py", "Story.objects.filter(pk=story_id, **{field: now})"): (
        "releases that claim"
    ),
    ("stories/privacy.py", "return models.QuerySet.update(queryset, **values)"): (
        "erasure scrubs personal fields of append-only rows"
    ),
    ("stories/privacy.py", "Story.objects.filter(pk=locked.pk).update(**changes)"): (
        "re-erasing an erased story: personal fields only, no status"
    ),
    ("stories/privacy.py", "Upload.objects.filter(pk=upload.pk).update("): (
        "tus upload rows of an erased story end terminated (an upload is not one of the "
        "four lifecycles; its states are tus's)"
    ),
    ("stories/privacy.py", "count = rows.update(**values) if values else 0"): (
        "erasure scrubs related rows"
    ),
    ("stories/uploads/services.py", "row.state = Upload.State.COMPLETED"): "tus upload state",
    ("stories/uploads/services.py", "row.state = Upload.State.REJECTED"): "tus upload state",
    ("stories/uploads/services.py", "row.state = Upload.State.TERMINATED"): "tus upload state",
    ("stories/uploads/services.py", "row.state = Upload.State.EXPIRED"): "tus upload state",
    ("publishing/partners/account_services.py", "locked.status = Partner.Status.APPROVED"): (
        "a partner account's approval, under a row lock with its audit entry"
    ),
    ("publishing/partners/account_services.py", "locked.status = Partner.Status.REJECTED"): (
        "a partner account's rejection, under a row lock with its audit entry"
    ),
    ("publishing/partners/account_services.py", "partner = Partner.objects.create("): (
        "a new partner account starts pending"
    ),
    ("publishing/youtube/api/errors.py", "self.status = status"): "an exception's HTTP status",
    (
        "publishing/youtube/services/channel.py",
        "channel.status = YouTubeChannel.Status.CONNECTED",
    ): ("the channel connection, with its audit entry"),
    (
        "publishing/youtube/services/channel.py",
        "channel.status = YouTubeChannel.Status.RECONNECT_REQUIRED",
    ): "the channel connection, with its audit entry",
    (
        "publishing/youtube/services/publication.py",
        "Publication.objects.filter(pk=publication_id, claimed_by=worker).update(**fields)",
    ): "upload progress fields of the claiming worker; the status goes through the lifecycle",
    ("workers/management/commands/load_demo.py", "story = Story.objects.create("): (
        "synthetic demo stories are created waiting in review"
    ),
    ("workers/management/commands/load_demo.py", "upload = Upload.objects.create("): (
        "the demo's finished upload"
    ),
}


def test_lifecycle_fields_are_written_only_by_their_transition_service() -> None:
    unexplained = [
        f"{write.path}:{write.line} {write.code}"
        for write in writes(frozenset({"status", "state"}))
        if write.path not in TRANSITION_MODULES
        and not any(path == write.path and write.code.startswith(code) for path, code in REVIEWED)
    ]
    assert unexplained == []


def test_every_transition_module_is_where_the_scan_finds_its_writes() -> None:
    """A renamed transition module would leave this test allowing nothing: it must write."""
    found = {write.path for write in writes(frozenset({"status", "state"}))}
    assert set(TRANSITION_MODULES) <= found


def test_every_reviewed_write_still_exists() -> None:
    found = writes(frozenset({"status", "state"}))
    stale = [
        (path, code)
        for path, code in REVIEWED
        if not any(w.path == path and w.code.startswith(code) for w in found)
    ]
    assert stale == []
