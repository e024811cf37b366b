from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from moderation.services import CHECKLIST
from stories.models import Story

from .factories import StoryFactory, attach_media, grant_consents, make_user


@pytest.fixture
def moderator(db: None) -> User:
    return make_user("moderator", "mia")


@pytest.fixture
def moderator2(db: None) -> User:
    return make_user("moderator", "max")


@pytest.fixture
def publisher(db: None) -> User:
    return make_user("publisher", "paul")


@pytest.fixture
def campaign_admin(db: None) -> User:
    return make_user("campaign_admin", "ada")


@pytest.fixture
def partner(db: None) -> User:
    return make_user("partner", "pia")


@pytest.fixture
def story(db: None) -> Story:
    story = StoryFactory()
    attach_media(story)
    grant_consents(story)
    return story


@pytest.fixture
def full_checklist() -> list[str]:
    return list(CHECKLIST)


@pytest.fixture
def four_eyes(db: None) -> Any:
    from moderation.services import moderation_settings_get

    obj = moderation_settings_get()
    obj.four_eyes = True
    obj.save()
    return obj


@pytest.fixture
def seeded(transactional_db: None) -> None:
    """Transactional tests start from a flushed database: put back what migrations seed.

    (Each seeding step is idempotent, so this is harmless when the rows survived.)
    """
    import importlib

    from django.apps import apps

    for module in (
        "stories.migrations.0002_seed_regions_topics_consents",
        "moderation.migrations.0002_roles_and_rejection_reasons",
    ):
        migration = importlib.import_module(module)
        (getattr(migration, "seed", None) or migration.forwards)(apps, None)
