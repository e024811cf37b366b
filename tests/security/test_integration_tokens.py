"""Hole 4: integration tokens are scoped, expire, are revocable and need a second factor.

The attack (issue 13): ``drf_create_token moderator`` gave a token that read and wrote the
moderation API although 2FA was required, and never expired. Now tokens come from
django-rest-knox: issued only on ``/moderation/tokens/`` from a session with a verified OTP
device, read-only unless granted write, expiring after ``API_TOKEN_TTL_DAYS``, listed and
revoked on the same page. DRF's bare ``authtoken`` is gone.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from moderation.models import Claim
from tests.moderation.factories import StoryFactory, make_user

KEY = re.compile(r'<code class="ws-secret">([^<]+)</code>')


def _verified_client(user: User) -> Client:
    """Sign in and verify a TOTP device through the real /moderation/2fa/ page."""
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    client = Client()
    client.force_login(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post("/moderation/2fa/?next=/moderation/tokens/", {"token": totp.token()})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _issue(client: Client, *, write: bool = False) -> str:
    data = {"name": "Newsroom-Import", **({"can_write": "on"} if write else {})}
    page = client.post("/moderation/tokens/", data).content.decode()
    match = KEY.search(page)
    assert match, page[:3000]
    return match.group(1)


@pytest.fixture
def moderator(db: None, settings: Any) -> User:
    settings.MODERATION_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    return make_user("moderator", "mia")


def test_drf_bare_tokens_are_gone() -> None:
    assert not apps.is_installed("rest_framework.authtoken")
    classes = django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert "rest_framework.authentication.TokenAuthentication" not in classes


def test_a_password_only_session_gets_no_token(moderator: User) -> None:
    from moderation.models import IntegrationToken

    client = Client()
    client.force_login(moderator)
    response = client.post("/moderation/tokens/", {"name": "x", "can_write": "on"})
    assert response.status_code in (302, 403)
    assert not IntegrationToken.objects.exists()


def test_a_read_only_token_reads_but_cannot_write(moderator: User) -> None:
    story = StoryFactory()
    key = _issue(_verified_client(moderator))
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/moderation/stories/").status_code == 200
    claim = api.post(f"/api/v1/moderation/stories/{story.pk}/claim/")
    assert claim.status_code == 403
    assert claim.json()["message"] == "Dieser API-Schlüssel darf nur lesen."
    assert not Claim.objects.filter(story=story).exists()


def test_a_write_token_writes_and_expires(moderator: User) -> None:
    from moderation.models import IntegrationToken

    story = StoryFactory()
    key = _issue(_verified_client(moderator), write=True)
    token = IntegrationToken.objects.get()
    assert token.can_write
    ttl = timedelta(days=django_settings.API_TOKEN_TTL_DAYS)
    assert token.expiry is not None
    assert abs(token.expiry - (timezone.now() + ttl)) < timedelta(minutes=5)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.post(f"/api/v1/moderation/stories/{story.pk}/claim/").status_code == 200

    IntegrationToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/moderation/stories/").status_code in (401, 403)


def test_tokens_are_listed_and_revoked_on_the_staff_page(moderator: User) -> None:
    from moderation.models import IntegrationToken

    client = _verified_client(moderator)
    key = _issue(client)
    token = IntegrationToken.objects.get()
    page = client.get("/moderation/tokens/").content.decode()
    assert "Newsroom-Import" in page and token.token_key in page and key not in page
    response = client.post(f"/moderation/tokens/{token.digest}/revoke/")
    assert response.status_code == 302
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/moderation/stories/").status_code in (401, 403)


def test_nobody_revokes_another_users_token(moderator: User) -> None:
    from moderation.models import IntegrationToken

    _issue(_verified_client(moderator))
    token = IntegrationToken.objects.get()
    other = _verified_client(make_user("moderator", "max"))
    assert other.post(f"/moderation/tokens/{token.digest}/revoke/").status_code == 403
    assert IntegrationToken.objects.filter(pk=token.pk).exists()


def test_the_old_attack_drf_create_token_gives_nothing_that_works(moderator: User) -> None:
    """The reviewer's exact step: ``manage.py drf_create_token moderator``."""
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    try:
        call_command("drf_create_token", moderator.username, stdout=out)
    except CommandError:
        return  # the command went away with rest_framework.authtoken
    key = out.getvalue().split()[2]  # "Generated token <key> for user <name>"
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/moderation/stories/").status_code in (401, 403)
