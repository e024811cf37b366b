"""The staff roles, as Django groups: the names are the contract with templates and APIs."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Role(StrEnum):
    MODERATOR = "moderator"
    PUBLISHER = "publisher"
    CAMPAIGN_ADMIN = "campaign_admin"
    PARTNER = "partner"


STAFF_ROLES = (Role.MODERATOR, Role.PUBLISHER, Role.CAMPAIGN_ADMIN)


def is_campaign_admin(user: Any, *, even_if_inactive: bool = False) -> bool:
    """Is ``user`` a campaign admin? A superuser counts as one; anonymous users never do.

    An inactive account is none, unless ``even_if_inactive``: protecting an account from
    other admins asks what it is, not whether it may sign in now.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if not (even_if_inactive or user.is_active):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return bool(user.groups.filter(name=Role.CAMPAIGN_ADMIN).exists())
