"""Writing the append-only audit log; every state-changing service calls ``audit_record``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import AuditEntry, Story


def actor_label(actor: AbstractBaseUser | AnonymousUser | None, *, fallback: str) -> str:
    if actor is None or not actor.is_authenticated:
        return fallback
    return str(actor.get_username())


def audit_record(
    *,
    action: str,
    story: Story | None = None,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    actor_fallback: str = "system",
    comment: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry; call it inside the transaction that made the change."""
    return AuditEntry.objects.create(
        story=story,
        actor=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
        actor_label=actor_label(actor, fallback=actor_fallback),
        action=action,
        comment=comment,
        before=before or {},
        after=after or {},
    )


def diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The before/after of the fields that changed."""
    changed = [key for key in new if old.get(key) != new.get(key)]
    return {k: old.get(k) for k in changed}, {k: new.get(k) for k in changed}
