"""The draft's upload token: the one secret that authorises its tus uploads.

``<public id hex>.<HMAC-SHA256 over the public id and the hash of the draft's private
token>``, keyed with ``SECRET_KEY`` through Django's ``salted_hmac`` (no hand-written
crypto). Derived, not stored: the server can show it again whenever the holder of the
draft's private token asks (the form's session, an API client's ``Authorization: Story``),
so a reloaded form page re-presents it and an interrupted upload resumes. Nobody can make
one without the private token's hash (never shown) and the secret key; the public id alone
proves nothing. It is narrower than the private token: it opens the uploads of one draft,
not the story. Checking compares in constant time.
"""

from __future__ import annotations

import hmac
import uuid

from django.utils.crypto import salted_hmac

from .models import Story

UPLOAD_TOKEN_SALT = "zm.story.upload-token"  # noqa: S105 - an HMAC salt, not a secret


def _mac(story: Story) -> str:
    return salted_hmac(
        UPLOAD_TOKEN_SALT, f"{story.public_id}|{story.access_token_hash}", algorithm="sha256"
    ).hexdigest()


def story_upload_token(*, story: Story) -> str:
    return f"{story.public_id.hex}.{_mac(story)}"


def story_by_upload_token(*, token: str) -> Story | None:
    """The story ``token`` belongs to, or None for anything else (any status)."""
    prefix, sep, mac = token.partition(".")
    if not sep or len(prefix) != 32 or len(mac) != 64:
        return None
    try:
        public_id = uuid.UUID(hex=prefix)
    except ValueError:
        return None
    story = Story.objects.filter(public_id=public_id).first()
    if story is None or not hmac.compare_digest(_mac(story), mac):
        return None
    return story
