"""The consent ledger: the texts a submission must name, and recording consents."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, ConflictError

from ..models import ConsentRecord, ConsentText, Story
from ..selectors import consent_text_current

REQUIRED_CONSENTS = (
    ConsentText.Purpose.PUBLICATION,
    ConsentText.Purpose.USAGE_RIGHTS,
    ConsentText.Purpose.SPECIAL_CATEGORIES,
    ConsentText.Purpose.PEOPLE_IN_VIDEO,
)


def _consent_text(purpose: str, language: str) -> ConsentText:
    text = consent_text_current(purpose=purpose, language=language)
    if text is None:
        raise ConflictError(f"no consent text for {purpose}")
    return text


def consent_record(
    *,
    story: Story,
    purpose: str,
    granted: bool,
    language: str,
    subject: str = ConsentRecord.Subject.SUBMITTER,
    text: ConsentText | None = None,
) -> ConsentRecord:
    """Append one consent (or withdrawal) to the ledger, naming the text version shown.

    ``text`` is the text that was shown; without it, the current one in ``language``.
    """
    text = text or _consent_text(purpose, language)
    return ConsentRecord.objects.create(
        story=story,
        purpose=purpose,
        consent_text=text,
        text_version=text.version,
        text_language=text.language,
        subject=subject,
        granted=granted,
    )


class ConsentTextsChanged(ConflictError):
    """The consent texts the submitter saw are no longer the current ones (409)."""


def _consent_texts_shown(
    *, language: str | None, versions: Mapping[str, int] | None
) -> dict[str, ConsentText]:
    """The current texts, provided they are the versions that were shown in ``language``.

    ApplicationError (400) when the language or a version is missing; ConsentTextsChanged
    (409) when a text has a newer version than the one shown.
    """
    missing = [p for p in REQUIRED_CONSENTS if not versions or p not in versions]
    if not language or missing:
        raise ApplicationError(
            _(
                "Bitte geben Sie an, welche Fassung der Einwilligungstexte gezeigt wurde "
                "(Sprache und Version je Text)."
            ),
            extra={"consent_language": language or "", "missing": [str(p) for p in missing]},
        )
    assert versions is not None
    texts: dict[str, ConsentText] = {p: _consent_text(p, language) for p in REQUIRED_CONSENTS}
    stale = [p for p in REQUIRED_CONSENTS if texts[p].version != versions[p]]
    if stale:
        raise ConsentTextsChanged(
            _(
                "Die Einwilligungstexte wurden geändert. "
                "Bitte lesen und bestätigen Sie sie noch einmal."
            ),
            extra={
                "stale": [str(p) for p in stale],
                "current": {str(p): texts[p].version for p in REQUIRED_CONSENTS},
            },
        )
    return texts
