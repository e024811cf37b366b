"""Fixtures for the hardening tests: seeded data for transactional tests, staff, stories."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import User

from tests.moderation.factories import make_user


@pytest.fixture
def seeded(transactional_db: None) -> None:
    """Transactional tests start from a flushed database: put back what migrations seed."""
    from django.apps import apps

    for module in (
        "stories.migrations.0002_seed_regions_topics_consents",
        "moderation.migrations.0002_roles_and_rejection_reasons",
    ):
        migration = importlib.import_module(module)
        (getattr(migration, "seed", None) or migration.forwards)(apps, None)


@pytest.fixture
def campaign_admin(seeded: None) -> User:
    return make_user("campaign_admin")


@pytest.fixture
def moderator(seeded: None) -> User:
    return make_user("moderator")
