"""The duration limit in the refusal is the setting's, in the reader's language."""

from __future__ import annotations

from typing import Any

from kernel.media_errors import RejectionCode, rejection_message


def test_the_too_long_message_names_the_configured_limit(settings: Any) -> None:
    settings.MEDIA_MAX_DURATION_SECONDS = 150
    assert "höchstens 2,5 Minuten" in rejection_message(RejectionCode.TOO_LONG, "de")
    assert "2.5 minutes" in rejection_message(RejectionCode.TOO_LONG, "en")
    settings.MEDIA_MAX_DURATION_SECONDS = 600
    assert "höchstens 10 Minuten" in rejection_message(RejectionCode.TOO_LONG, "de")
