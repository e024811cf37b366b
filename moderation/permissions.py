"""Who may do what to a story, answered in one place: ``story_get_actions``.

An action is refused with 403 when the user's role does not include it at all and with
409 when the role includes it but the story's state (status, claim, earlier approval)
does not allow it now. Views and APIs render exactly the offered actions; services call
``story_ensure_action`` on the locked row, so the answer cannot go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ConflictError, ForbiddenError
from stories.models import Story
from stories.transitions import allowed_from

from .models import Approval, Claim

S = Story.Status

PERM_VIEW = "moderation.view_workspace"
PERM_REVIEW = "moderation.review_story"
PERM_DECIDE = "moderation.decide_story"
PERM_PUBLISH = "moderation.publish_story"
PERM_TAKEDOWN = "moderation.takedown_story"
PERM_TAKEOVER = "moderation.takeover_claim"

# Which permission each action needs; the keys are the whole vocabulary of actions.
ACTION_PERMISSIONS: dict[str, str] = {
    "claim": PERM_REVIEW,
    "release": PERM_REVIEW,
    "takeover": PERM_TAKEOVER,
    "edit": PERM_REVIEW,
    "note": PERM_REVIEW,
    "assign": PERM_REVIEW,
    "rerun_media": PERM_REVIEW,
    "approve": PERM_DECIDE,
    "reject": PERM_DECIDE,
    "request_changes": PERM_DECIDE,
    "publish": PERM_PUBLISH,
    "takedown": PERM_TAKEDOWN,
}
ACTIONS = tuple(ACTION_PERMISSIONS)

# Statuses in which a story is still being worked on in the workspace.
WORKABLE = (S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED)
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "claim": WORKABLE,
    "release": (*WORKABLE, S.PUBLISHED, S.REJECTED, S.TAKEN_DOWN, S.WITHDRAWN),
    "takeover": WORKABLE,
    "edit": WORKABLE,
    "note": (*WORKABLE, S.PUBLISHED, S.REJECTED, S.TAKEN_DOWN, S.WITHDRAWN),
    "assign": WORKABLE,
    "rerun_media": WORKABLE,
    # The decisions are status changes: the story lifecycle's one table says from where.
    "approve": tuple(allowed_from(S.APPROVED)),
    "reject": tuple(allowed_from(S.REJECTED)),
    "request_changes": tuple(allowed_from(S.CHANGES_REQUESTED)),
    "publish": tuple(allowed_from(S.PUBLISHED)),
    "takedown": tuple(allowed_from(S.TAKEN_DOWN)),
}
# Actions another moderator's claim blocks. Taking down is urgent and never blocked.
BLOCKED_BY_FOREIGN_CLAIM = frozenset(
    {"claim", "edit", "assign", "rerun_media", "approve", "reject", "request_changes", "publish"}
)


def user_is_staff_member(user: Any) -> bool:
    """May the user open the workspace at all (moderator, publisher, campaign admin)?"""
    return bool(user.is_authenticated and user.is_active and user.has_perm(PERM_VIEW))


def user_may(user: Any, action: str) -> bool:
    """Does the user's role include ``action`` (regardless of the story's state)?"""
    return bool(
        user.is_authenticated and user.is_active and user.has_perm(ACTION_PERMISSIONS[action])
    )


@dataclass(frozen=True)
class _State:
    claim: Claim | None
    approved_by_user: bool
    has_media: bool

    @property
    def active_claim(self) -> Claim | None:
        return self.claim if self.claim and self.claim.expires_at > timezone.now() else None


def _state(story: Story, user: Any) -> _State:
    claim = Claim.objects.select_related("holder").filter(story_id=story.pk).first()
    approved = (
        user.is_authenticated
        and Approval.objects.filter(story_id=story.pk, moderator=user, superseded=False).exists()
    )
    has_media = story.media.filter(is_current=True).exists()
    return _State(claim=claim, approved_by_user=bool(approved), has_media=has_media)


def _state_problem(story: Story, user: Any, action: str, state: _State) -> str | None:
    """Why the story's state refuses the action now, in words; None when it allows it."""
    if story.status not in ALLOWED_FROM[action]:
        return _("Diese Aktion ist im Status „%(status)s“ nicht möglich.") % {
            "status": story.get_status_display()
        }
    claim = state.active_claim
    held_by_other = claim is not None and claim.holder_id != user.pk
    if action in BLOCKED_BY_FOREIGN_CLAIM and held_by_other:
        assert claim is not None
        return _("%(name)s bearbeitet diese Geschichte gerade (bis %(time)s).") % {
            "name": claim.holder.get_username(),
            "time": timezone.localtime(claim.expires_at).strftime("%H:%M"),
        }
    if action == "claim" and claim is not None and claim.holder_id == user.pk:
        return _("Sie bearbeiten diese Geschichte bereits.")
    if action == "release" and (claim is None or claim.holder_id != user.pk):
        return _("Sie bearbeiten diese Geschichte nicht.")
    if action == "takeover" and not held_by_other:
        return _("Niemand sonst bearbeitet diese Geschichte.")
    if action == "rerun_media" and not state.has_media:
        return _("Zu dieser Geschichte gibt es kein Video.")
    if action == "approve":
        if state.approved_by_user:
            return _(
                "Sie haben dieser Geschichte schon zugestimmt; die zweite Zustimmung muss von "
                "jemand anderem kommen."
            )
        if story.has_minor and story.guardian_confirmed_at is None:
            return _("Die Bestätigung der erziehungsberechtigten Person fehlt noch.")
    return None


def story_get_actions(story: Story, user: Any) -> set[str]:
    """Every action ``user`` may take on ``story`` right now."""
    if not user_is_staff_member(user):
        return set()
    state = _state(story, user)
    return {
        action
        for action in ACTIONS
        if user_may(user, action) and _state_problem(story, user, action, state) is None
    }


def story_ensure_action(
    story: Story, user: Any, action: str, *, expected_status: str | None = None
) -> None:
    """Raise ``ForbiddenError`` (403) or ``ConflictError`` (409) unless the action is offered.

    ``expected_status`` is the status the user saw when deciding: if the story moved on
    meanwhile (another moderator decided), the decision is refused rather than applied to
    a state the user never saw. Call it on a row locked with ``select_for_update``.
    """
    if action not in ACTION_PERMISSIONS:
        raise ForbiddenError(_("Unbekannte Aktion."), extra={"action": action})
    if not user_is_staff_member(user) or not user_may(user, action):
        raise ForbiddenError(_("Ihre Rolle erlaubt diese Aktion nicht."), extra={"action": action})
    if expected_status and story.status != expected_status:
        raise ConflictError(
            _(
                "Die Geschichte wurde inzwischen geändert (jetzt: „%(status)s“). "
                "Bitte sehen Sie sie sich noch einmal an."
            )
            % {"status": story.get_status_display()},
            extra={"action": action, "status": story.status},
        )
    problem = _state_problem(story, user, action, _state(story, user))
    if problem is not None:
        raise ConflictError(problem, extra={"action": action, "status": story.status})
