"""Reads about uploads: lookup, expiry, and the words that explain a rejection."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from kernel.media_errors import DEFAULT_LANGUAGE, LANGUAGES, StrOrPromise, in_language

from .models import Upload

# Shown to the submitter, in the upload's language, when the finished file is not something
# we can use (German msgids; translations in locale/).
REJECTION_MESSAGES: dict[str, StrOrPromise] = {
    "not_a_video": gettext_lazy(
        "Die Datei ist kein Video. Bitte laden Sie ein Video hoch, zum Beispiel MP4 oder MOV."
    ),
    "empty": gettext_lazy("Die Datei ist leer. Bitte wählen Sie Ihr Video noch einmal aus."),
}


@dataclass(frozen=True)
class Rejection:
    code: str
    message: str


def upload_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def upload_get(*, upload_id: uuid.UUID) -> Upload | None:
    """Any upload by id, for the services' own bookkeeping; never for a client's request."""
    return Upload.objects.filter(pk=upload_id).first()


def upload_token_matches(*, upload: Upload, token: str | None) -> bool:
    """Was ``upload`` created with ``token``? Constant-time; an unbound upload matches none."""
    if not token or not upload.token_hash:
        return False
    return hmac.compare_digest(upload.token_hash, upload_token_hash(token))


def upload_get_owned(*, upload_id: uuid.UUID, token: str | None) -> Upload | None:
    """The upload if ``token`` is the one it was created with, else None.

    A stranger cannot tell "no such upload" from "not yours": both are None (a 404).
    """
    upload = upload_get(upload_id=upload_id)
    if upload is None or not upload_token_matches(upload=upload, token=token):
        return None
    return upload


def upload_working_path(*, upload_id: uuid.UUID) -> Path:
    """Where the bytes of an unfinished upload live; named by the UUID, never by the client."""
    return Path(settings.UPLOAD_TEMP_DIR) / f"{upload_id.hex}.part"


def upload_is_expired(*, upload: Upload, now: datetime | None = None) -> bool:
    """An unfinished upload past its expiry; finished ones no longer expire."""
    if upload.state == Upload.State.EXPIRED:
        return True
    now = now or timezone.now()
    return upload.state == Upload.State.RECEIVING and upload.expires_at <= now


def upload_language(*, upload: Upload) -> str:
    lang = str(upload.metadata.get("lang", "")).split("-")[0].lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def rejection_message(*, code: str, language: str) -> str:
    return in_language(REJECTION_MESSAGES.get(code, REJECTION_MESSAGES["not_a_video"]), language)


def upload_rejection(*, upload: Upload) -> Rejection | None:
    if upload.state != Upload.State.REJECTED:
        return None
    code = upload.rejection_reason
    return Rejection(
        code=code, message=rejection_message(code=code, language=upload_language(upload=upload))
    )


def upload_status(*, upload: Upload) -> dict[str, Any]:
    """What the browser needs to know after the bytes are sent (not part of tus)."""
    state = Upload.State.EXPIRED.value if upload_is_expired(upload=upload) else upload.state
    rejection = upload_rejection(upload=upload)
    return {
        "state": state,
        "offset": upload.offset,
        "length": upload.length,
        "rejection": {"code": rejection.code, "message": rejection.message} if rejection else None,
    }
