"""Private links in e-mails: signed, so nothing secret has to be stored to build them."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

STATUS_SALT = "zm.story.status"
CONFIRM_SALT = "zm.story.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600
GUARDIAN_SALT = "zm.story.guardian"
GUARDIAN_MAX_AGE = 30 * 24 * 3600


def status_token(*, public_id: str) -> str:
    return signing.Signer(salt=STATUS_SALT).sign(public_id)


def status_token_public_id(token: str) -> str | None:
    try:
        return signing.Signer(salt=STATUS_SALT).unsign(token)
    except signing.BadSignature:
        return None


def confirm_token(*, public_id: str) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(public_id)


def confirm_token_public_id(token: str) -> str | None:
    try:
        return signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None


def guardian_token(*, public_id: str) -> str:
    return signing.TimestampSigner(salt=GUARDIAN_SALT).sign(public_id)


def guardian_token_public_id(token: str) -> str | None:
    try:
        return signing.TimestampSigner(salt=GUARDIAN_SALT).unsign(token, max_age=GUARDIAN_MAX_AGE)
    except signing.BadSignature:
        return None


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def status_url(*, public_id: str) -> str:
    return absolute(reverse("stories:status", args=[status_token(public_id=public_id)]))


def confirm_url(*, public_id: str) -> str:
    return absolute(reverse("stories:confirm", args=[confirm_token(public_id=public_id)]))


def guardian_url(*, public_id: str) -> str:
    return absolute(reverse("stories:guardian", args=[guardian_token(public_id=public_id)]))
