"""The staff roles, as Django groups: the names are the contract with templates and APIs."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MODERATOR = "moderator"
    PUBLISHER = "publisher"
    CAMPAIGN_ADMIN = "campaign_admin"
    PARTNER = "partner"


STAFF_ROLES = (Role.MODERATOR, Role.PUBLISHER, Role.CAMPAIGN_ADMIN)
