"""Hole 14 (second factor): the password alone no longer enrols a first device.

The attack (issue 13): with a staff member's password, sign in, open ``/moderation/2fa/``,
read the TOTP secret shown as text, put it into your own authenticator and confirm it — the
account now has *your* second factor. Now the page shows no secret until the session has
opened an enrolment link mailed to the staff member's address; the secret then comes as a
server-drawn QR code, and enrolment ends with single-use recovery codes.
"""

from __future__ import annotations

import re
from base64 import b32decode
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.moderation.factories import make_user

SECRET = re.compile(r"<code>([A-Z2-7]{16,})</code>")
LINK = re.compile(r"http://testserver(/moderation/2fa/einrichten/[^/\s]+/)")


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.fixture
def staff(db: None, settings: Any) -> User:
    settings.MODERATION_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries; not under test here
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    return make_user("moderator", "mia")


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)  # the password is all the attacker has
    return client


def test_the_password_alone_cannot_enrol_a_device(staff: User) -> None:
    attacker = _signed_in(staff)
    page = attacker.get("/moderation/2fa/").content.decode()
    found = SECRET.search(page)
    if found:  # the old page: take the secret into the attacker's own authenticator
        key = b32decode(found.group(1))
        device = TOTPDevice(user=staff, key=key.hex())
        attacker.post("/moderation/2fa/", {"token": _code(device)})
    for device in TOTPDevice.objects.filter(user=staff):  # also: guess from any stored key
        attacker.post("/moderation/2fa/", {"token": _code(device)})
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert attacker.get("/moderation/")["Location"].startswith("/moderation/2fa/")
    assert "otpauth://" not in page and not found


def test_enrolment_goes_through_the_mailed_link_and_a_qr_code(staff: User) -> None:
    client = _signed_in(staff)
    client.post("/moderation/2fa/", {"send_link": "1"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [staff.email]
    path = LINK.search(mail.outbox[0].body)
    assert path, mail.outbox[0].body

    assert _signed_in(make_user("moderator", "max")).get(path.group(1)).status_code == 403
    assert client.get(path.group(1))["Location"] == "/moderation/2fa/"
    page = client.get("/moderation/2fa/").content.decode()
    assert '<svg width="' in page and 'class="segno"' in page  # drawn here, no outside service
    assert "<script" not in page.split("<main", 1)[-1].split("</main>")[0]
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    done = client.post("/moderation/2fa/?next=/moderation/", {"token": _code(device)})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/moderation/").status_code == 200
    assert client.get(path.group(1)).status_code == 403  # the link dies with the enrolment

    # A recovery code signs in once, instead of the authenticator.
    later = _signed_in(staff)
    assert later.post("/moderation/2fa/", {"token": codes[0]}).status_code == 302
    assert later.get("/moderation/").status_code == 200
    again = _signed_in(staff)
    again.post("/moderation/2fa/", {"token": codes[0]})
    assert again.get("/moderation/")["Location"].startswith("/moderation/2fa/")


def test_a_forged_or_foreign_link_opens_nothing(staff: User) -> None:
    client = _signed_in(staff)
    assert client.get("/moderation/2fa/einrichten/forged/").status_code == 403
    page = client.get("/moderation/2fa/").content.decode()
    assert "segno" not in page and not SECRET.search(page)


def test_staff_sessions_are_short_and_visitors_unaffected(staff: User, settings: Any) -> None:
    settings.MODERATION_REQUIRE_2FA = False
    client = Client()
    signed_in = client.post(
        "/admin/login/?next=/moderation/", {"username": "mia", "password": "pw-for-tests"}
    )
    assert signed_in.status_code == 302
    assert client.get("/moderation/").status_code == 200
    age = client.session.get_expiry_age()
    assert 0 < age <= settings.STAFF_SESSION_HOURS * 3600
    assert client.cookies["sessionid"]["max-age"] <= settings.STAFF_SESSION_HOURS * 3600
    visitor = Client()
    visitor.get("/geschichten/")
    assert "sessionid" not in visitor.cookies or not visitor.cookies["sessionid"].value
