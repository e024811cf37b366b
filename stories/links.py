"""Private links in e-mails: signed, so nothing secret has to be stored to build them.

The status link signs the story's public id and its ``status_link_version``: asking for a
fresh link (``story_status_links_renew``) raises the version, which retires every status link
sent before. Version 0 signs the bare public id, as links sent before versions existed did.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse

STATUS_SALT = "zm.story.status"
CONFIRM_SALT = "zm.story.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600
GUARDIAN_SALT = "zm.story.guardian"
GUARDIAN_MAX_AGE = 30 * 24 * 3600


def _status_link_version(public_id: str) -> int:
    from .models import Story

    version = Story.objects.filter(public_id=public_id).values_list(
        "status_link_version", flat=True
    )
    return int(version.first() or 0)


def status_token(*, public_id: str, version: int | None = None) -> str:
    """The signed status token; ``version`` defaults to the story's current one."""
    if version is None:
        version = _status_link_version(public_id)
    value = public_id if version == 0 else f"{public_id}.{version}"
    return signing.Signer(salt=STATUS_SALT).sign(value)


def status_token_parts(token: str) -> tuple[str, int] | None:
    """(public id, link version) of a genuine status token, else None."""
    try:
        value = signing.Signer(salt=STATUS_SALT).unsign(token)
    except signing.BadSignature:
        return None
    public_id, _sep, version = value.partition(".")
    if version and not version.isdigit():
        return None
    return public_id, int(version or 0)


def status_token_public_id(token: str) -> str | None:
    parts = status_token_parts(token)
    return parts[0] if parts else None


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


LANGUAGE_PARAMETER = "lang"


def absolute(path: str, *, language: str = "") -> str:
    """The full address; ``language`` makes the page open in the e-mail's language."""
    query = f"?{urlencode({LANGUAGE_PARAMETER: language})}" if language else ""
    return f"{settings.SITE_URL}{path}{query}"


def status_url(*, public_id: str, version: int | None = None, language: str = "") -> str:
    token = status_token(public_id=public_id, version=version)
    return absolute(reverse("stories:status", args=[token]), language=language)


def confirm_url(*, public_id: str, language: str = "") -> str:
    token = confirm_token(public_id=public_id)
    return absolute(reverse("stories:confirm", args=[token]), language=language)


def guardian_url(*, public_id: str, language: str = "") -> str:
    token = guardian_token(public_id=public_id)
    return absolute(reverse("stories:guardian", args=[token]), language=language)
