"""The gallery's state is cached per public version: a public change shows at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kernel.cache import public_content_changed
from stories.models import Story

pytestmark = pytest.mark.django_db


def _count() -> int:
    page = Client().get("/geschichten/").content.decode()
    found = re.search(r'class="gallery-count"[^>]*>(\d+) Geschichte', page)
    assert found, page[:2000]
    return int(found.group(1))


def test_a_public_change_shows_at_once_although_the_state_is_cached(
    settings: Any, story_factory: Callable[..., Story]
) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    settings.GALLERY_STATE_SECONDS = 600
    story_factory()
    assert _count() == 1
    story_factory()  # written behind the services' back: the cached state stands ...
    assert _count() == 1
    public_content_changed()  # ... until what every publish/withdraw/edit does
    assert _count() == 2


def test_without_the_state_cache_every_request_reads_the_database(
    settings: Any, story_factory: Callable[..., Story]
) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    settings.GALLERY_STATE_SECONDS = 0
    story_factory()
    assert _count() == 1
    story_factory()
    assert _count() == 2
