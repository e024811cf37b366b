"""Second-factor enrolment for staff: a first device needs more than the password.

Before, anyone who had a staff member's password could sign in and enrol *their own*
authenticator for someone who had not enrolled yet: the set-up page showed the TOTP secret
to whoever was signed in. Now the secret (as a QR code) is shown only in a session that also
opened a short-lived enrolment link sent to the staff member's own e-mail address — the
address a campaign admin or superuser recorded, which the password alone does not give.
We chose the e-mail link over an admin-issued one so that enrolment needs nobody else's
time; an admin can still reset a device (delete it in the admin) and the person re-enrols
the same way.

The link is a ``django.core.signing`` token (salted, timestamped, ``max_age`` from
``MODERATION_ENROLMENT_LINK_MINUTES``) over the user's id and a digest of their current
devices and password hash, so it dies as soon as a device is confirmed or the password
changes. The mail is sent inside the request: the person waits on the page for it, and
there is no row for a reconciler to retry.

Recovery codes are django-otp's static device: ten single-use codes, shown once.
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

SALT = "moderation.enrolment"
SESSION_KEY = "moderation_enrolment_user"
RECOVERY_CODES = 10


def _state(user: Any) -> str:
    devices = sorted(
        TOTPDevice.objects.filter(user=user, confirmed=True).values_list("pk", flat=True)
    )
    return salted_hmac(SALT, f"{user.pk}:{user.password}:{devices}").hexdigest()[:32]


def enrolment_token_make(*, user: Any) -> str:
    return signing.dumps({"u": user.pk, "s": _state(user)}, salt=SALT)


def enrolment_token_check(*, user: Any, token: str) -> bool:
    """Does ``token`` open enrolment for ``user`` (theirs, unexpired, state unchanged)?"""
    try:
        data = signing.loads(
            token, salt=SALT, max_age=settings.MODERATION_ENROLMENT_LINK_MINUTES * 60
        )
    except signing.BadSignature:
        return False
    return bool(data.get("u") == user.pk and data.get("s") == _state(user))


def user_has_device(*, user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_link_send(*, user: Any, base_url: str) -> bool:
    """Mail ``user`` a link that opens enrolment; False when they have no address."""
    if not user.email:
        return False
    path = reverse("moderation:enrol", kwargs={"token": enrolment_token_make(user=user)})
    body = _(
        "Guten Tag,\n\nSie richten Ihren zweiten Faktor für %(campaign)s ein. Öffnen Sie dazu "
        "diesen Link in dem Browser, in dem Sie angemeldet sind (er gilt %(minutes)d Minuten):"
        "\n\n%(url)s\n\nWenn Sie das nicht waren, kennt jemand Ihr Passwort: Bitte ändern Sie "
        "es und sagen Sie der Kampagnenleitung Bescheid."
    ) % {
        "campaign": settings.CAMPAIGN_NAME,
        "minutes": settings.MODERATION_ENROLMENT_LINK_MINUTES,
        "url": base_url.rstrip("/") + path,
    }
    send_mail(_("Zweiten Faktor einrichten"), body, None, [user.email])
    return True


@transaction.atomic
def enrolment_start(*, user: Any) -> TOTPDevice:
    """A fresh unconfirmed TOTP device: a secret seen before the link opened is worthless."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


@transaction.atomic
def enrolment_finish(*, device: TOTPDevice) -> list[str]:
    """Confirm the device and replace the recovery codes; the codes are returned to show once."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    static = StaticDevice.objects.create(user=device.user, name="Wiederherstellung")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    static.token_set.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def qr_svg(*, device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code, drawn here (no outside service)."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=5, border=4, title=_("QR-Code für Ihre Authenticator-App")
        )
    )
