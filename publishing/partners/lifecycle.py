"""The partner kit lifecycle: the one table of allowed transitions and the one service that
changes a kit's status (every assignment to ``PartnerKit.status`` lives here).

stale → generating → ready | failed, and back to stale whenever the inputs change:

- stale: asked for (again), a generation is queued;
- generating: a worker renders it (again after a retry or a redelivered message);
- ready: the stored files match the inputs they were made from;
- failed: the last run gave up with a reason; the page or the pipeline asks again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import ConflictError
from stories.audit import audit_record

from .models import PartnerKit

Actor = AbstractBaseUser | AnonymousUser | None
S = PartnerKit.Status

KIT_TRANSITIONS: dict[str, frozenset[str]] = {
    # new inputs while queued; a worker picks it up; a queued run that cannot start fails;
    # a render that finished for exactly the inputs the kit is now asked for is the truth,
    # even if the kit was re-queued meanwhile (a pipeline retry of a worker thought dead)
    S.STALE: frozenset({S.STALE, S.GENERATING, S.FAILED, S.READY}),
    # a retry or redelivered message renders again; the inputs changed meanwhile (stale);
    # done; gave up
    S.GENERATING: frozenset({S.GENERATING, S.STALE, S.READY, S.FAILED}),
    # the inputs changed; a run for inputs the stored files do not match yet
    S.READY: frozenset({S.STALE, S.GENERATING}),
    # asked for again; retried by the queue; failed again with a newer reason; a run marked
    # failed while it still finished (the same rule as for stale)
    S.FAILED: frozenset({S.STALE, S.GENERATING, S.FAILED, S.READY}),
}


def kit_transition_allowed(current: str, to: str) -> bool:
    return to in KIT_TRANSITIONS.get(current, frozenset())


@transaction.atomic
def kit_transition(
    *,
    kit_id: int,
    to: str,
    action: str,
    actor: Actor = None,
    actor_fallback: str = "worker",
    comment: str = "",
    changes: dict[str, Any] | None = None,
) -> PartnerKit:
    """Move kit ``kit_id`` to ``to`` if the table allows it from its current status; the other
    ``changes`` are saved with it, and one audit entry records the step.

    Raises ``ConflictError`` when the table does not allow it (the row is left unchanged).
    """
    # Lock the kit row only: PostgreSQL cannot lock the nullable side of a join.
    kit = (
        PartnerKit.objects.select_for_update(of=("self",)).select_related("partner").get(pk=kit_id)
    )
    if not kit_transition_allowed(kit.status, to):
        raise ConflictError(
            _("Das Kampagnenpaket kann im Status „%(status)s“ nicht so geändert werden.")
            % {"status": kit.get_status_display()},
            extra={"status": kit.status, "to": to},
        )
    before = {"kit": kit.slot, "status": kit.status}
    kit.status = to
    for name, value in (changes or {}).items():
        setattr(kit, name, value)
    kit.save()
    after: dict[str, Any] = {"kit": kit.slot, "status": kit.status}
    if kit.partner is not None:
        after["partner"] = kit.partner.ref_code
    if kit.failure_reason and to == S.FAILED:
        after["reason"] = kit.failure_reason[:200]
    audit_record(
        action=action,
        actor=actor,
        actor_fallback=actor_fallback,
        comment=comment,
        before=before,
        after=after,
    )
    return kit
