"""The publication lifecycle: one table, one transition service, failures in the reader's words."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import translation

from kernel.cache import VERSION_KEY
from kernel.errors import ConflictError
from publishing.youtube import lifecycle, messages, services
from publishing.youtube.models import Publication
from stories.models import AuditEntry
from tests.support.services import ROOT

from .conftest import make_approved_story

P = Publication.Status
# Modules that may touch a publication's status besides the transition module.
SCANNED = [ROOT / "publishing" / "youtube", ROOT / "workers"]


def _open() -> Publication:
    story = make_approved_story()
    return lifecycle.publication_open(story=story, actor=None, audit_after={})


def test_every_status_is_in_the_table_and_taken_down_is_final() -> None:
    assert set(lifecycle.TRANSITIONS) == set(P.values)
    assert all(
        target in P.values for targets in lifecycle.TRANSITIONS.values() for target in targets
    )
    assert lifecycle.TRANSITIONS[P.TAKEN_DOWN] == frozenset()
    assert lifecycle.TRANSITIONS[P.PUBLISHED] == {P.TAKEDOWN_REQUESTED}
    # Every state but the takedown ones can be taken down; the takedown only ends.
    assert set(lifecycle.allowed_from(P.TAKEDOWN_REQUESTED)) == set(P.values) - set(
        lifecycle.TAKEDOWN
    )
    assert lifecycle.allowed_from(P.TAKEN_DOWN) == [P.TAKEDOWN_REQUESTED]


@pytest.mark.django_db
def test_a_step_outside_the_table_is_refused_without_an_audit_entry() -> None:
    publication = _open()
    entries = AuditEntry.objects.count()
    with pytest.raises(ConflictError):
        lifecycle.publication_transition(
            publication_id=publication.pk, to=P.PUBLISHED, action="test.publish"
        )
    publication.refresh_from_db()
    assert publication.status == P.QUEUED
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_publishing_and_taking_down_bump_the_public_cache_version(
    django_capture_on_commit_callbacks: object,
) -> None:
    publication = _open()
    for to in (P.UPLOADING, P.PROCESSING):
        lifecycle.publication_transition(publication_id=publication.pk, to=to, action="test")
    before = cache.get(VERSION_KEY) or 0
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        lifecycle.publication_transition(
            publication_id=publication.pk, to=P.PUBLISHED, action="test.published"
        )
    published = cache.get(VERSION_KEY)
    assert published > before
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        lifecycle.publication_transition(
            publication_id=publication.pk, to=P.TAKEDOWN_REQUESTED, action="test.takedown"
        )
    assert cache.get(VERSION_KEY) > published
    entry = AuditEntry.objects.filter(action="test.published").get()
    assert entry.before == {"status": P.PROCESSING} and entry.after["status"] == P.PUBLISHED


@pytest.mark.django_db
def test_a_failure_is_stored_as_a_code_and_read_in_the_readers_language() -> None:
    publication = _open()
    lifecycle.publication_transition(publication_id=publication.pk, to=P.UPLOADING, action="t")
    failed = services.publication_fail(
        publication_id=publication.pk, code=messages.VIDEO_GONE, technical="404 videoNotFound"
    )
    failed.refresh_from_db()
    assert failed.failure_code == messages.VIDEO_GONE
    assert failed.failure_reason.startswith("Das Video gibt es auf YouTube nicht mehr")
    with translation.override("en"):
        assert failed.failure_text == (
            "The video no longer exists on YouTube (it was deleted there)."
        )
    with translation.override("uk"):
        assert failed.failure_text not in ("", failed.failure_reason)


@pytest.mark.django_db
def test_asking_again_after_a_failure_clears_the_code() -> None:
    publication = _open()
    lifecycle.publication_transition(publication_id=publication.pk, to=P.UPLOADING, action="t")
    services.publication_fail(
        publication_id=publication.pk,
        code=messages.PROCESSING_REFUSED,
        params={"state": "rejected", "detail": "duplicate"},
    )
    publication.refresh_from_db()
    assert "rejected: duplicate" in publication.failure_text
    publication.story.refresh_from_db()
    queued = services.publication_request(story=publication.story, actor=None)
    assert queued.status == P.QUEUED
    assert (queued.failure_code, queued.failure_params, queued.failure_text) == ("", {}, "")


def _status_writes(path: Path) -> list[str]:
    """Assignments to ``<x>.status`` and ``status=`` in update/create calls."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "status"
                    # a channel's own status, an exception's HTTP status
                    and not ast.unparse(target.value).endswith(("channel", "self"))
                ):
                    found.append(f"{path}:{node.lineno}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("update", "create", "update_or_create", "get_or_create")
            and any(keyword.arg == "status" for keyword in node.keywords)
            and "Publication" in ast.unparse(node.func.value)
        ):
            found.append(f"{path}:{node.lineno}")
    return found


def test_only_the_transition_module_writes_a_publications_status() -> None:
    writes = [
        hit
        for folder in SCANNED
        for path in sorted(folder.rglob("*.py"))
        if "migrations" not in path.parts and path != ROOT / "publishing/youtube/lifecycle.py"
        for hit in _status_writes(path)
    ]
    assert writes == []
    # ... and the transition module does (the scan would find it).
    assert _status_writes(ROOT / "publishing/youtube/lifecycle.py")


def test_every_refusal_reason_of_the_client_library_has_a_translated_text() -> None:
    from publishing.youtube.api.errors import VALIDATION_REASONS

    assert set(messages.REJECTED_TEXTS) == {*VALIDATION_REASONS, "noMedia"}
    for reason in messages.REJECTED_TEXTS:
        german = messages.failure_text(messages.REJECTED, reason=reason, detail="x")
        with translation.override("tr"):
            turkish = messages.failure_text(messages.REJECTED, reason=reason, detail="x")
        assert german not in ("", "x") and turkish != german
