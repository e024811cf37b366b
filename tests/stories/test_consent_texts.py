"""Every interface language shows consent texts in that language, never a fallback."""

from __future__ import annotations

import pytest
from django.conf import settings

from stories.models import ConsentText
from stories.services import consent_record, story_create_draft

pytestmark = pytest.mark.django_db


def test_every_language_has_every_consent_text() -> None:
    for code, _name in settings.LANGUAGES:
        for purpose in ConsentText.Purpose.values:
            assert ConsentText.objects.filter(purpose=purpose, language=code).exists(), (
                code,
                purpose,
            )


def test_the_ledger_names_the_language_shown() -> None:
    story, _token = story_create_draft(language="fa")
    record = consent_record(story=story, purpose="publication", granted=True, language="fa")
    assert record.text_language == "fa"
    assert "یوتیوب" in record.consent_text.text
