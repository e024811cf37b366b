"""Encryption at rest for the channel's OAuth credentials (Fernet, keys from the environment).

``YOUTUBE_CREDENTIALS_KEY`` holds one or more Fernet keys separated by commas: the first one
encrypts, all of them decrypt, so a key can be rotated without reconnecting the channel.
Development derives a key from ``SECRET_KEY``; production settings refuse to run without one.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class CredentialsUnreadable(Exception):
    """The stored credentials cannot be decrypted with the configured keys."""


def _development_key() -> bytes:
    digest = hashlib.sha256(b"zusammen-mehr/youtube-credentials:" + settings.SECRET_KEY.encode())
    return base64.urlsafe_b64encode(digest.digest())


def _fernet() -> MultiFernet:
    configured = [key.strip() for key in settings.YOUTUBE_CREDENTIALS_KEY.split(",") if key.strip()]
    if not configured:
        if str(getattr(settings, "SETTINGS_MODULE", "")).endswith("production"):
            raise ImproperlyConfigured(
                "YOUTUBE_CREDENTIALS_KEY is required in production: generate one with "
                '`python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"`.'
            )
        return MultiFernet([Fernet(_development_key())])
    try:
        return MultiFernet([Fernet(key.encode()) for key in configured])
    except ValueError as error:
        raise ImproperlyConfigured(
            "YOUTUBE_CREDENTIALS_KEY must be Fernet keys (32 url-safe base64-encoded bytes)."
        ) from error


def encrypt_json(data: dict[str, Any]) -> str:
    """The dict as JSON, encrypted with the first configured key."""
    return _fernet().encrypt(json.dumps(data).encode("utf-8")).decode("ascii")


def decrypt_json(token: str) -> dict[str, Any]:
    """The dict ``encrypt_json`` stored. Raises CredentialsUnreadable for a wrong key or junk."""
    try:
        plain = _fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError) as error:
        raise CredentialsUnreadable("the stored credentials cannot be decrypted") from error
    data: dict[str, Any] = json.loads(plain)
    return data
