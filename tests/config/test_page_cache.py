"""Public pages come from the shared cache for anonymous visitors and never go stale."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _published_story(title: str) -> Any:
    from stories.models import Story
    from stories.services import story_create_draft
    from tests.stories.lifecycle import story_move_to

    story, _token = story_create_draft()
    story.title = title
    story.text = "Eine Beispielgeschichte, die zeigt, wie der Seiten-Cache funktioniert."
    story.save()
    return story_move_to(story, Story.Status.PUBLISHED, action="test.publish")


def test_second_visit_is_a_hit_and_withdrawal_empties_it_at_once(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from stories.services import story_withdraw

    with django_capture_on_commit_callbacks(execute=True):
        story = _published_story("Gemeinsam kochen in Emden")
    first = client.get("/geschichten/")
    assert first["X-Page-Cache"] == "miss"
    second = client.get("/geschichten/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Gemeinsam kochen in Emden" in second.content.decode()
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]

    with django_capture_on_commit_callbacks(execute=True):
        story_withdraw(story=story)
    after = client.get("/geschichten/")
    assert after["X-Page-Cache"] == "miss"
    assert "Gemeinsam kochen in Emden" not in after.content.decode()


def test_each_language_has_its_own_copy(client: Client) -> None:
    german = client.get("/geschichten/")
    client.cookies["django_language"] = "ar"
    arabic = client.get("/geschichten/")
    assert arabic["X-Page-Cache"] == "miss"
    assert 'lang="ar"' in arabic.content.decode() and 'lang="de"' in german.content.decode()


def test_signed_in_people_and_forms_bypass_the_cache(client: Client) -> None:
    from django.contrib.auth.models import User

    client.get("/barrierefreiheit/")
    page = client.get("/barrierefreiheit/")  # carries a CSRF token: never shared
    assert page.get("X-Page-Cache") != "hit"
    client.force_login(User.objects.create_user("mia", password="x-long-password-1"))
    client.get("/geschichten/")
    assert "X-Page-Cache" not in client.get("/geschichten/")


def test_pages_render_when_redis_is_down(client: Client, settings: Any) -> None:
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }
    assert type(cache.client).__name__ == "DefaultClient"  # the real django-redis backend
    assert client.get("/geschichten/").status_code == 200
    assert client.get("/geschichten/").status_code == 200


def test_language_switch_is_a_get_without_csrf(client: Client) -> None:
    response = client.get("/sprache/", {"language": "fa", "next": "/geschichten/"})
    assert response.status_code == 302 and response["Location"] == "/geschichten/"
    assert response.cookies["django_language"].value == "fa"
    evil = client.get("/sprache/", {"language": "de", "next": "https://evil.example/"})
    assert evil["Location"] == "/"
    home = client.get("/").content.decode()
    assert "csrfmiddlewaretoken" not in home
