"""Staff sign-in is throttled: repeated failures lock that name from that address a while."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db


def _login(client: Client, password: str) -> Any:
    return client.post("/admin/login/?next=/admin/", {"username": "mia", "password": password})


def test_five_failures_lock_the_pair_even_for_the_right_password(
    client: Client, settings: Any
) -> None:
    User.objects.create_user("mia", password="right-horse-battery-9", is_staff=True)
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        assert _login(client, "wrong").status_code == 200  # the form again, with an error
    assert _login(client, "wrong").status_code == 429  # this failure locks the pair
    response = _login(client, "right-horse-battery-9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session

    cache.clear()  # the lockout expires (its counters are cache keys with the cool-off as TTL)
    response = _login(client, "right-horse-battery-9")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_login_still_works_when_the_cache_is_down(client: Client, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }
    User.objects.create_user("mia", password="right-horse-battery-9", is_staff=True)
    assert _login(client, "wrong").status_code == 200
    assert _login(client, "right-horse-battery-9").status_code == 302
