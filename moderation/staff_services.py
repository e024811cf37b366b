"""Writes on staff accounts: the roles a campaign admin may hand out, integration tokens.

Only a superuser may make someone superuser, hand out arbitrary groups or permissions, or
change another privileged account; a campaign admin assigns the product's own roles
(``ASSIGNABLE_ROLES``) and nothing else. ``is_staff`` follows the roles: the staff sign-in
(Django's admin login form) requires it, so it is set exactly when a staff role is held.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import ForbiddenError
from kernel.roles import STAFF_ROLES, Role, is_campaign_admin
from stories.audit import audit_record

from .models import IntegrationToken
from .permissions import user_is_staff_member

# The roles a campaign admin may give or take; making campaign admins is for superusers.
ASSIGNABLE_ROLES = (Role.MODERATOR, Role.PUBLISHER)


def user_may_manage(actor: Any, user: Any) -> bool:
    """May ``actor`` change ``user``'s account at all (name, e-mail, password, roles)?

    Superusers may change anyone. Anyone else (a campaign admin with ``auth.change_user``)
    may not touch a superuser or a campaign admin other than themselves: changing their
    password or e-mail would take their privileges over.
    """
    if actor.is_superuser:
        return True
    if user is None:
        return True
    if user.is_superuser:
        return False
    return user.pk == actor.pk or not is_campaign_admin(user, even_if_inactive=True)


@transaction.atomic
def user_set_roles(*, actor: Any, user: Any, roles: Iterable[str]) -> None:
    """Give ``user`` exactly ``roles`` among ``ASSIGNABLE_ROLES``; other groups stay as they are.

    Raises ``ForbiddenError`` when ``actor`` may not manage ``user`` or asks for a role
    outside ``ASSIGNABLE_ROLES``.
    """
    wanted = set(roles)
    if not user_may_manage(actor, user) or not wanted <= set(ASSIGNABLE_ROLES):
        raise ForbiddenError(_("Diese Rolle dürfen Sie nicht vergeben."))
    before = sorted(user.groups.values_list("name", flat=True))
    assignable = Group.objects.filter(name__in=ASSIGNABLE_ROLES)
    user.groups.remove(*[g for g in assignable if g.name not in wanted])
    user.groups.add(*[g for g in assignable if g.name in wanted])
    after = sorted(user.groups.values_list("name", flat=True))
    is_staff = bool(set(after) & set(STAFF_ROLES)) or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    if before != after:
        audit_record(
            action="auth.user.roles",
            actor=actor,
            comment=user.get_username(),
            before={"roles": before},
            after={"roles": after},
        )


# --- Integration tokens -----------------------------------------------------------------------
@dataclass(frozen=True)
class IssuedToken:
    token: IntegrationToken
    key: str  # shown once; only its digest is stored


@transaction.atomic
def token_issue(*, user: Any, verified: bool, name: str, can_write: bool) -> IssuedToken:
    """Issue an expiring API token for ``user``; read-only unless ``can_write``.

    Raises ``ForbiddenError`` unless the user is staff and the session that asks has verified
    a second factor (``verified``) — a password alone never yields a token.
    """
    if not (user.is_superuser or user_is_staff_member(user)):
        raise ForbiddenError(_("Nur Mitarbeitende können API-Schlüssel erstellen."))
    if not verified:
        raise ForbiddenError(_("Bitte bestätigen Sie zuerst Ihren zweiten Faktor."))
    token, key = IntegrationToken.objects.create(
        user=user,
        expiry=timedelta(days=settings.API_TOKEN_TTL_DAYS),
        name=name,
        can_write=can_write,
    )
    audit_record(
        action="auth.token.issue",
        actor=user,
        comment=name,
        after={"token": token.token_key, "can_write": can_write, "expiry": str(token.expiry)},
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def token_revoke(*, actor: Any, digest: str) -> None:
    """Revoke one token at once: its owner or a superuser may. Unknown tokens raise 403 too."""
    token = IntegrationToken.objects.select_for_update().filter(digest=digest).first()
    if token is None or not (actor.is_superuser or token.user_id == actor.pk):
        raise ForbiddenError(_("Diesen API-Schlüssel können Sie nicht widerrufen."))
    audit_record(
        action="auth.token.revoke",
        actor=actor,
        comment=token.name,
        before={"token": token.token_key, "owner": token.user.get_username()},
    )
    token.delete()
