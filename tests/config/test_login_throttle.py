"""Staff sign-in is throttled: repeated failures lock the account for a while."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.support.services import RedisServer

pytestmark = pytest.mark.django_db


def _login(client: Client, password: str) -> Any:
    return client.post("/admin/login/?next=/admin/", {"username": "mia", "password": password})


def test_five_failures_lock_the_account_even_for_the_right_password(
    client: Client, redis_server: RedisServer, settings: Any
) -> None:
    redis_server.client().flushdb()
    User.objects.create_user("mia", password="right-horse-battery-9", is_staff=True)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert _login(client, "wrong").status_code == 200  # the form again, with an error
    response = _login(client, "right-horse-battery-9")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    redis_server.client().flushdb()  # the lockout expires
    response = _login(client, "right-horse-battery-9")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_login_still_works_when_redis_is_down(client: Client, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    User.objects.create_user("mia", password="right-horse-battery-9", is_staff=True)
    assert _login(client, "wrong").status_code == 200
    assert _login(client, "right-horse-battery-9").status_code == 302
