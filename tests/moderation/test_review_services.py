"""The decision services: every transition, every illegal one, claims, four-eyes, audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kernel.errors import ConflictError, ForbiddenError
from moderation import services
from moderation.models import Approval, Claim, InternalNote, Review
from moderation.permissions import story_get_actions
from stories.models import AuditEntry, Story
from stories.services import story_submit

from .factories import StoryFactory, attach_media, make_user

pytestmark = pytest.mark.django_db
S = Story.Status


def _status(story: Story) -> str:
    story.refresh_from_db()
    return story.status


# --- The lifecycle ------------------------------------------------------------------------
def test_approve_moves_to_approved_and_mails_the_submitter_in_their_language(
    story: Story,
    moderator: User,
    full_checklist: list[str],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    story.language = "en"
    story.save()
    with django_capture_on_commit_callbacks() as callbacks:
        services.story_approve(story_id=story.pk, actor=moderator, checklist=full_checklist)
    assert _status(story) == S.APPROVED
    assert len(callbacks) == 1  # the e-mail is enqueued after commit, never inside

    from moderation.notifications import decision_email_send

    assert decision_email_send(story_id=story.pk, decision="approved")
    assert mail.outbox[-1].to == [story.submitter_email]
    assert "approved" in mail.outbox[-1].subject
    assert not decision_email_send(story_id=story.pk, decision="rejected")  # overtaken


def test_approve_needs_the_whole_checklist(story: Story, moderator: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.story_approve(story_id=story.pk, actor=moderator, checklist=["consents_complete"])
    assert "checklist" in excinfo.value.message_dict
    assert _status(story) == S.IN_REVIEW


def test_guardian_confirmation_pending_blocks_approval(
    story: Story, moderator: User, full_checklist: list[str]
) -> None:
    story.has_minor = True
    story.save()
    assert "approve" not in story_get_actions(story, moderator)
    with pytest.raises(ConflictError, match="erziehungsberechtigten"):
        services.story_approve(story_id=story.pk, actor=moderator, checklist=full_checklist)
    story.guardian_confirmed_at = timezone.now()
    story.save()
    services.story_approve(story_id=story.pk, actor=moderator, checklist=full_checklist)
    assert _status(story) == S.APPROVED


def test_reject_sends_the_reason_in_the_submitters_language(
    story: Story, moderator: User, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    story.language = "tr"
    story.save()
    services.story_reject(
        story_id=story.pk, actor=moderator, reason_code="off-topic", free_text="Danke trotzdem!"
    )
    story.refresh_from_db()
    assert story.status == S.REJECTED
    assert story.decision_reason.startswith("Maalesef hikâyeniz kampanyanın konusuna uymuyor")
    assert story.decision_reason.endswith("Danke trotzdem!")

    from moderation.notifications import decision_email_send

    assert decision_email_send(story_id=story.pk, decision="rejected")
    assert "Maalesef" in mail.outbox[-1].body


def test_reject_needs_a_reason(story: Story, moderator: User) -> None:
    with pytest.raises(ValidationError):
        services.story_reject(story_id=story.pk, actor=moderator)
    with pytest.raises(ValidationError):
        services.story_reject(story_id=story.pk, actor=moderator, reason_code="nope")


def test_change_request_round_trip_returns_the_story_revised(
    story: Story, moderator: User, moderator2: User, full_checklist: list[str]
) -> None:
    services.story_request_changes(
        story_id=story.pk, actor=moderator, message="Bitte ohne Musik im Hintergrund."
    )
    story.refresh_from_db()
    assert story.status == S.CHANGES_REQUESTED
    assert story.change_request == "Bitte ohne Musik im Hintergrund."
    assert "approve" not in story_get_actions(story, moderator2)

    story_submit(story=story, consents=[])
    story.refresh_from_db()
    assert (story.status, story.revised) == (S.IN_REVIEW, True)
    services.story_approve(story_id=story.pk, actor=moderator2, checklist=full_checklist)
    assert _status(story) == S.APPROVED


@pytest.mark.parametrize("start", [S.APPROVED, S.PUBLISHED])
def test_publisher_takes_down(story: Story, publisher: User, start: str) -> None:
    Story.objects.filter(pk=story.pk).update(status=start)
    services.story_takedown(story_id=story.pk, actor=publisher, reason="Person bedroht")
    story.refresh_from_db()
    assert (story.status, story.decision_reason) == (S.TAKEN_DOWN, "Person bedroht")


def test_publish_request_leaves_the_story_approved(story: Story, publisher: User) -> None:
    Story.objects.filter(pk=story.pk).update(status=S.APPROVED)
    services.story_publish(story_id=story.pk, actor=publisher)
    assert _status(story) == S.APPROVED
    assert AuditEntry.objects.filter(
        story=story, action="moderation.story.publish_request"
    ).exists()


def test_media_rerun_queues_processing_again(
    story: Story, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    media = story.media.get()
    media.state = "failed"
    media.failure_message = "kaputt"
    media.save()
    with django_capture_on_commit_callbacks() as callbacks:
        services.story_media_rerun(story_id=story.pk, actor=moderator)
    media.refresh_from_db()
    assert media.state == "waiting" and media.failure_message == ""
    assert len(callbacks) == 1


# --- Illegal transitions: 409 -------------------------------------------------------------
def _approve(story: Story, user: User) -> Any:
    from moderation.services import CHECKLIST

    return services.story_approve(story_id=story.pk, actor=user, checklist=CHECKLIST)


DECISIONS: dict[str, Callable[[Story, User], Any]] = {
    "approve": _approve,
    "reject": lambda s, u: services.story_reject(story_id=s.pk, actor=u, free_text="Nein"),
    "request_changes": lambda s, u: services.story_request_changes(
        story_id=s.pk, actor=u, message="Bitte kürzer"
    ),
    "takedown": lambda s, u: services.story_takedown(story_id=s.pk, actor=u, reason="Grund"),
    "publish": lambda s, u: services.story_publish(story_id=s.pk, actor=u),
    "edit": lambda s, u: services.story_edit(story_id=s.pk, actor=u, data={"title": "Neu"}),
    "claim": lambda s, u: services.claim_take(story_id=s.pk, actor=u),
    "rerun_media": lambda s, u: services.story_media_rerun(story_id=s.pk, actor=u),
}
LEGAL = {
    "approve": {S.IN_REVIEW},
    "reject": {S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED},
    "request_changes": {S.IN_REVIEW},
    "takedown": {S.APPROVED, S.PUBLISHED},
    "publish": {S.APPROVED},
    "edit": {S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED},
    "claim": {S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED},
    "rerun_media": {S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED},
}
ILLEGAL = [
    (action, status) for action in DECISIONS for status in S.values if status not in LEGAL[action]
]


@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_illegal_transition_is_a_conflict(
    story: Story, publisher: User, action: str, status: str
) -> None:
    Story.objects.filter(pk=story.pk).update(status=status)
    story.refresh_from_db()
    entries = AuditEntry.objects.count()
    assert action not in story_get_actions(story, publisher)
    with pytest.raises(ConflictError):
        DECISIONS[action](story, publisher)
    assert _status(story) == status
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize("action", ["approve", "reject", "request_changes"])
def test_deciding_twice_by_accident_is_refused(story: Story, moderator: User, action: str) -> None:
    DECISIONS[action](story, moderator)
    with pytest.raises(ConflictError):
        DECISIONS[action](story, moderator)


# --- Roles: 403 ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["moderator", "campaign_admin", "partner", None])
@pytest.mark.parametrize("action", ["takedown", "publish"])
def test_only_publishers_publish_and_take_down(story: Story, role: str, action: str) -> None:
    Story.objects.filter(pk=story.pk).update(status=S.APPROVED)
    with pytest.raises(ForbiddenError):
        DECISIONS[action](story, make_user(role))


@pytest.mark.parametrize("role", ["campaign_admin", "partner", None])
@pytest.mark.parametrize("action", ["approve", "reject", "request_changes", "edit", "claim"])
def test_non_moderators_cannot_review(story: Story, role: str, action: str) -> None:
    with pytest.raises(ForbiddenError):
        DECISIONS[action](story, make_user(role))
    assert _status(story) == S.IN_REVIEW


# --- Claims -------------------------------------------------------------------------------
def test_a_claim_blocks_others_until_released(
    story: Story, moderator: User, moderator2: User, full_checklist: list[str]
) -> None:
    claim = services.claim_take(story_id=story.pk, actor=moderator)
    assert claim.holder == moderator
    assert {"release", "approve", "edit"} <= story_get_actions(story, moderator)
    others = story_get_actions(story, moderator2)
    assert not others & {"claim", "approve", "reject", "edit", "takeover"}
    with pytest.raises(ConflictError, match="mia bearbeitet diese Geschichte gerade"):
        services.story_approve(story_id=story.pk, actor=moderator2, checklist=full_checklist)
    with pytest.raises(ConflictError):
        services.claim_take(story_id=story.pk, actor=moderator2)
    with pytest.raises(ConflictError):
        services.claim_release(story_id=story.pk, actor=moderator2)

    services.claim_release(story_id=story.pk, actor=moderator)
    assert not Claim.objects.exists()
    services.story_approve(story_id=story.pk, actor=moderator2, checklist=full_checklist)
    assert _status(story) == S.APPROVED


def test_a_claim_expires_and_activity_renews_it(
    story: Story, moderator: User, moderator2: User, settings: Any
) -> None:
    settings.MODERATION_CLAIM_MINUTES = 30
    claim = services.claim_take(story_id=story.pk, actor=moderator)
    Claim.objects.filter(pk=claim.pk).update(
        expires_at=timezone.now() + timezone.timedelta(minutes=1)
    )
    services.story_edit(story_id=story.pk, actor=moderator, data={"title": "Aktiv"})
    claim.refresh_from_db()
    assert claim.expires_at > timezone.now() + timezone.timedelta(minutes=29)

    Claim.objects.filter(pk=claim.pk).update(
        expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert "claim" in story_get_actions(story, moderator2)
    assert services.claim_take(story_id=story.pk, actor=moderator2).holder == moderator2


def test_a_publisher_takes_over(story: Story, moderator: User, publisher: User) -> None:
    services.claim_take(story_id=story.pk, actor=moderator)
    assert "takeover" in story_get_actions(story, publisher)
    with pytest.raises(ForbiddenError):
        services.claim_takeover(story_id=story.pk, actor=make_user("moderator"))
    services.claim_takeover(story_id=story.pk, actor=publisher)
    assert Claim.objects.get(story=story).holder == publisher
    entry = AuditEntry.objects.filter(story=story).last()
    assert entry is not None and entry.action == "moderation.claim.takeover"
    assert (entry.before, entry.after) == ({"holder": "mia"}, {"holder": "paul"})


# --- Four eyes ----------------------------------------------------------------------------
def test_four_eyes_needs_two_different_moderators(
    four_eyes: Any, story: Story, moderator: User, moderator2: User, full_checklist: list[str]
) -> None:
    services.story_approve(story_id=story.pk, actor=moderator, checklist=full_checklist)
    assert _status(story) == S.IN_REVIEW
    assert "approve" not in story_get_actions(story, moderator)
    with pytest.raises(ConflictError, match="schon zugestimmt"):
        services.story_approve(story_id=story.pk, actor=moderator, checklist=full_checklist)
    assert Approval.objects.filter(story=story).count() == 1

    services.story_approve(story_id=story.pk, actor=moderator2, checklist=full_checklist)
    assert _status(story) == S.APPROVED
    assert set(Approval.objects.values_list("moderator__username", flat=True)) == {"mia", "max"}


def test_the_database_refuses_a_second_live_approval(story: Story, moderator: User) -> None:
    Approval.objects.create(story=story, moderator=moderator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(story=story, moderator=moderator)


def test_a_change_request_voids_earlier_approvals(
    four_eyes: Any, story: Story, moderator: User, moderator2: User, full_checklist: list[str]
) -> None:
    services.story_approve(story_id=story.pk, actor=moderator, checklist=full_checklist)
    services.story_request_changes(story_id=story.pk, actor=moderator2, message="Bitte kürzer")
    story.refresh_from_db()
    story_submit(story=story, consents=[])
    services.story_approve(story_id=story.pk, actor=moderator, checklist=full_checklist)
    assert _status(story) == S.IN_REVIEW  # the old approval does not count twice
    services.story_approve(story_id=story.pk, actor=moderator2, checklist=full_checklist)
    assert _status(story) == S.APPROVED


# --- Edits, notes, bulk -------------------------------------------------------------------
def test_edit_records_a_before_after_diff(story: Story, moderator: User) -> None:
    old_title = story.title
    services.story_edit(
        story_id=story.pk,
        actor=moderator,
        data={
            "title": "Meisterin in Celle",
            "text": story.text,
            "youtube_title": "Meisterin in Celle | ZUSAMMEN. MEHR.",
            "youtube_tags": "Integration, Celle, Integration",
        },
    )
    entry = AuditEntry.objects.filter(story=story).last()
    assert entry is not None and entry.action == "moderation.story.edit"
    assert entry.before == {"title": old_title, "youtube_title": "", "youtube_tags": []}
    assert entry.after == {
        "title": "Meisterin in Celle",
        "youtube_title": "Meisterin in Celle | ZUSAMMEN. MEHR.",
        "youtube_tags": ["Integration", "Celle"],
    }
    assert Review.objects.get(story=story).youtube_tags == ["Integration", "Celle"]
    count = AuditEntry.objects.count()
    services.story_edit(story_id=story.pk, actor=moderator, data={"title": "Meisterin in Celle"})
    assert AuditEntry.objects.count() == count  # nothing changed, nothing recorded


def test_edit_validates(story: Story, moderator: User) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.story_edit(
            story_id=story.pk,
            actor=moderator,
            data={"title": "", "region_id": 999999, "youtube_title": "<b>"},
        )
    assert set(excinfo.value.message_dict) == {"title", "region_id", "youtube_title"}


def test_notes_stay_internal(story: Story, moderator: User, client: Any) -> None:
    services.note_add(story_id=story.pk, actor=moderator, text="Musik prüfen, klingt nach Radio")
    assert InternalNote.objects.get().author == moderator
    from stories.links import status_token

    page = client.get(f"/status/{status_token(public_id=str(story.public_id))}/")
    assert "Musik prüfen" not in page.content.decode()


def test_bulk_spam_and_assign(story: Story, moderator: User, moderator2: User) -> None:
    other = StoryFactory()
    held = StoryFactory()
    services.claim_take(story_id=held.pk, actor=moderator2)
    result = services.stories_assign(
        story_ids=[story.pk, other.pk], actor=moderator, assignee_id=moderator2.pk
    )
    assert result.done == [story.pk, other.pk]
    assert Review.objects.get(story=other).assignee == moderator2

    result = services.stories_reject_as_spam(
        story_ids=[story.pk, other.pk, held.pk], actor=moderator
    )
    assert result.done == [story.pk, other.pk]
    assert set(result.refused) == {held.pk}
    story.refresh_from_db()
    assert story.status == S.REJECTED
    assert story.decision_reason.startswith("Ihre Einsendung ist kein Beitrag")


# --- Audit completeness -------------------------------------------------------------------
AUDITED: list[tuple[str, str, Callable[[Story, User, User], Any]]] = [
    ("claim", S.IN_REVIEW, lambda s, u, p: services.claim_take(story_id=s.pk, actor=u)),
    (
        "release",
        S.IN_REVIEW,
        lambda s, u, p: (
            Claim.objects.create(
                story=s, holder=u, expires_at=timezone.now() + timezone.timedelta(minutes=5)
            ),
            services.claim_release(story_id=s.pk, actor=u),
        ),
    ),
    (
        "takeover",
        S.IN_REVIEW,
        lambda s, u, p: (
            Claim.objects.create(
                story=s, holder=u, expires_at=timezone.now() + timezone.timedelta(minutes=5)
            ),
            services.claim_takeover(story_id=s.pk, actor=p),
        ),
    ),
    (
        "edit",
        S.IN_REVIEW,
        lambda s, u, p: services.story_edit(story_id=s.pk, actor=u, data={"title": "X"}),
    ),
    ("note", S.IN_REVIEW, lambda s, u, p: services.note_add(story_id=s.pk, actor=u, text="Hm")),
    (
        "assign",
        S.IN_REVIEW,
        lambda s, u, p: services.story_assign(story_id=s.pk, actor=u, assignee_id=u.pk),
    ),
    (
        "rerun_media",
        S.IN_REVIEW,
        lambda s, u, p: services.story_media_rerun(story_id=s.pk, actor=u),
    ),
    ("approve", S.IN_REVIEW, lambda s, u, p: _approve(s, u)),
    ("reject", S.IN_REVIEW, lambda s, u, p: DECISIONS["reject"](s, u)),
    ("request_changes", S.IN_REVIEW, lambda s, u, p: DECISIONS["request_changes"](s, u)),
    ("takedown", S.PUBLISHED, lambda s, u, p: DECISIONS["takedown"](s, p)),
    ("publish", S.APPROVED, lambda s, u, p: DECISIONS["publish"](s, p)),
]


@pytest.mark.parametrize(("name", "status", "call"), AUDITED, ids=[a[0] for a in AUDITED])
def test_every_service_writes_exactly_one_audit_entry(
    story: Story, moderator: User, publisher: User, name: str, status: str, call: Any
) -> None:
    Story.objects.filter(pk=story.pk).update(status=status)
    # The publishing app records what happens to the publication itself under its own
    # namespace; the moderation decision is one entry.
    ours = AuditEntry.objects.filter(story=story).exclude(action__startswith="publishing.")
    before = ours.count()
    call(story, moderator, publisher)
    entries = ours.all()
    assert entries.count() == before + 1
    entry = entries.last()
    assert entry is not None and entry.actor in (moderator, publisher)


def test_four_eyes_first_approval_is_audited_once(
    four_eyes: Any, story: Story, moderator: User
) -> None:
    before = AuditEntry.objects.count()
    _approve(story, moderator)
    assert list(AuditEntry.objects.values_list("action", flat=True)[before:]) == [
        "moderation.story.approve_first"
    ]


def test_media_rerun_needs_a_video(moderator: User) -> None:
    story = StoryFactory()
    with pytest.raises(ConflictError):
        services.story_media_rerun(story_id=story.pk, actor=moderator)
    attach_media(story, state="failed")
    services.story_media_rerun(story_id=story.pk, actor=moderator)
