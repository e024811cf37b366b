"""Issue 13, hole 6: one address locked everybody out; anybody could lock a named account.

Observed: six failed logins with made-up usernames, then the moderator's correct password
was refused (the address was locked for everyone behind it); failures for a username from
anywhere locked that account, and refused attempts extended the 900 s lock. Now django-axes
locks the pair (username, client address), with a higher ceiling per address and a cool-off
that grows with repeated locks; a name alone is never locked.

The lockout expiry is checked by moving the cache's clock (the per-process cache the tests
use keeps time with ``time.time``), not by sleeping: the clock is the one thing replaced.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache.backends import base, locmem
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "right-horse-battery-9"


@pytest.fixture
def moderator() -> User:
    return User.objects.create_user("moderator", password=PASSWORD, is_staff=True)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The cache's clock, moved forward by hand."""

    class Clock:
        offset = 0.0

        def time(self) -> float:
            return time.time() + self.offset

        def advance(self, seconds: float) -> None:
            self.offset += seconds

    fake = Clock()
    monkeypatch.setattr(locmem, "time", fake)  # expiry checks
    monkeypatch.setattr(base, "time", fake)  # expiry times of new keys
    return fake


def _admin_login(ip: str, username: str, password: str) -> tuple[Client, Any]:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )
    return client, response


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_made_up_usernames_from_one_address_lock_nobody_out(moderator: User) -> None:
    for n in range(6):
        _admin_login("198.51.100.7", f"nobody-{n}", "guess")
    # The real moderator, from another address and from the attacker's own address alike.
    client, response = _admin_login("203.0.113.20", "moderator", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)
    client, response = _admin_login("198.51.100.7", "moderator", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def test_hammering_a_name_elsewhere_does_not_lock_its_owner(moderator: User) -> None:
    for _ in range(20):
        _admin_login("198.51.100.8", "moderator", "guess")
    client, response = _admin_login("203.0.113.21", "moderator", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)
    # The attacker's own pair is locked, even with the right password.
    client, response = _admin_login("198.51.100.8", "moderator", PASSWORD)
    assert response.status_code == 429 and not _signed_in(client)
    assert "Anmeldung vorübergehend gesperrt" in response.content.decode()


def test_the_partner_login_is_covered_too(moderator: User, settings: Any) -> None:
    for _ in range(settings.LOGIN_MAX_FAILURES):
        Client(REMOTE_ADDR="198.51.100.9").post(
            "/partner/login/", {"username": "moderator", "password": "guess"}
        )
    refused = Client(REMOTE_ADDR="198.51.100.9").post(
        "/partner/login/", {"username": "moderator", "password": PASSWORD}
    )
    assert refused.status_code == 429
    allowed = Client(REMOTE_ADDR="203.0.113.22")
    response = allowed.post("/partner/login/", {"username": "moderator", "password": PASSWORD})
    assert response.status_code == 302 and _signed_in(allowed)


def test_the_per_address_ceiling_holds(moderator: User, settings: Any) -> None:
    settings.LOGIN_ADDRESS_MAX_FAILURES = 12
    for n in range(12):
        _admin_login("198.51.100.10", f"name-{n}", "guess")
    client, response = _admin_login("198.51.100.10", "moderator", PASSWORD)
    assert response.status_code == 429 and not _signed_in(client)
    client, response = _admin_login("203.0.113.23", "moderator", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def test_forged_forwarded_for_does_not_choose_the_address(moderator: User, settings: Any) -> None:
    for n in range(settings.LOGIN_MAX_FAILURES):
        Client(REMOTE_ADDR="198.51.100.11", HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}").post(
            "/admin/login/?next=/admin/", {"username": "moderator", "password": "guess"}
        )
    client = Client(REMOTE_ADDR="198.51.100.11", HTTP_X_FORWARDED_FOR="192.0.2.99")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "moderator", "password": PASSWORD}
    )
    assert response.status_code == 429


def test_locks_end_after_the_cool_off_and_grow_when_repeated(
    moderator: User, settings: Any, clock: Any
) -> None:
    settings.LOGIN_LOCKOUT_SECONDS = 300
    settings.LOGIN_LOCKOUT_MAX_SECONDS = 3600
    ip = "198.51.100.12"

    def fail_until_locked() -> None:
        for _ in range(settings.LOGIN_MAX_FAILURES):
            _admin_login(ip, "moderator", "guess")
        assert _admin_login(ip, "moderator", PASSWORD)[1].status_code == 429

    fail_until_locked()
    clock.advance(200)
    # Refused attempts during the lock do not extend it.
    assert _admin_login(ip, "moderator", PASSWORD)[1].status_code == 429
    clock.advance(110)  # 310 s after the lock
    client, response = _admin_login(ip, "moderator", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)

    fail_until_locked()  # the second lock of the same pair lasts twice as long
    clock.advance(310)
    assert _admin_login(ip, "moderator", PASSWORD)[1].status_code == 429
    clock.advance(300)  # 610 s
    client, response = _admin_login(ip, "moderator", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)
