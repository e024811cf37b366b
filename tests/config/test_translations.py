"""Every interface string exists in every language: no empty and no fuzzy entry."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation

from tests.support.services import ROOT


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES if code != "de"])
def test_catalogue_is_complete(language: str) -> None:
    text = (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").read_text() + "\n"
    missing, fuzzy = [], []
    for block in text.split("\n\n"):
        ids = re.findall(r'^msgid "(.*)"$', block, re.M)
        if not ids or (
            ids[0] == ""
            and "msgid_plural" not in block
            and block.count("msgid") == 1
            and not re.search(r'^"', block.split("msgid", 1)[1].split("msgstr", 1)[0], re.M)
        ):
            continue  # the header
        strs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', block, re.M)
        continuation = re.search(r'^msgstr(?:\[\d\])? ""\n"', block, re.M)
        if any(s == "" for s in strs) and not continuation:
            missing.append(ids[0])
        if re.search(r"^#,.*\bfuzzy\b", block, re.M):
            fuzzy.append(ids[0])
    assert missing == []
    assert fuzzy == []


def test_translations_are_compiled_and_used() -> None:
    with translation.override("uk"):
        assert translation.gettext("Geschichte erzählen") != "Geschichte erzählen"
    with translation.override("ar"):
        assert translation.get_language_bidi()


@pytest.mark.parametrize("language", ["ar", "fa", "uk", "tr"])
def test_every_media_error_reads_in_the_supporters_language(language: str) -> None:
    """The worker's messages (rejections, failed transcodes) come from the catalogue too."""
    from kernel.media_errors import (
        TRANSCODE_REASONS,
        RejectionCode,
        TranscodeFailed,
        rejection_message,
    )

    texts = {
        f"rejection:{code}": (
            rejection_message(code, "de"),
            rejection_message(code, "en"),
            rejection_message(code, language),
        )
        for code in RejectionCode
    }
    for key, reason in TRANSCODE_REASONS.items():
        error = TranscodeFailed(reason, "technical detail")
        texts[f"transcode:{key}"] = (
            error.message("de"),
            error.message("en"),
            error.message(language),
        )
    for key, (german, english, text) in texts.items():
        assert text.strip(), key
        assert text not in (german, english), key
