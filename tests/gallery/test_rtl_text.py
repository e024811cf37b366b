"""Right-to-left text: the Arabic and Farsi catalogues quote with «…», not German „…“, and
isolate the Latin brand name so it does not turn into ".ZUSAMMEN. MEHR" inside Arabic."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import trans_real


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_right_to_left_catalogues_quote_and_isolate_per_language(language: str) -> None:
    with translation.override(language):
        catalog = trans_real.translation(language)._catalog  # type: ignore[attr-defined]
        texts = [str(text) for key, text in catalog.items() if key]
    assert texts
    assert not [text for text in texts if "„" in text]
    unisolated = [
        text
        for text in texts
        if "ZUSAMMEN. MEHR." in text.replace("\u2068ZUSAMMEN. MEHR.\u2069", "")
    ]
    assert not unisolated
