"""Sentences for publishers about a publication, rendered in the reader's language.

A failure is stored as a code and its parameters (``Publication.failure_code`` and
``failure_params``) and rendered here when someone reads it (``failure_text``), so a
publisher reading in Arabic gets Arabic. ``failure_reason`` keeps the sentence in the
interface's default language for logs and the pipeline page.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

REJECTED = "rejected"  # params: reason (PublishRejected.reason), detail (its English sentence)
VIDEO_GONE = "video_gone"
REFUSED = "refused"
KEPT_FAILING = "kept_failing"
PROCESSING_REFUSED = "processing_refused"
TOO_LONG = "processing_too_long"

# What our client library's PublishRejected reasons mean for a publisher (its own sentence,
# in English, stays the technical detail).
REJECTED_TEXTS = {
    "invalidTitle": gettext_noop(
        "Der Titel ist leer, länger als 100 Zeichen oder enthält < oder >."
    ),
    "invalidDescription": gettext_noop(
        "Die Beschreibung ist länger als 5000 Bytes oder enthält < oder >."
    ),
    "invalidTags": gettext_noop(
        "Die Schlagwörter sind zusammen länger als 500 Zeichen oder enthalten < oder >."
    ),
    "invalidCategoryId": gettext_noop("YouTube akzeptiert diese Kategorie nicht."),
    "invalidPublishAt": gettext_noop(
        "Der geplante Veröffentlichungszeitpunkt ist ungültig (er braucht ein privates Video)."
    ),
    "invalidVideoMetadata": gettext_noop("YouTube hat die Angaben zum Video abgelehnt."),
    "invalidFilename": gettext_noop("YouTube hat den Dateinamen abgelehnt."),
    "mediaBodyTooBig": gettext_noop("Die Datei ist größer, als YouTube annimmt."),
    "invalidImage": gettext_noop("YouTube konnte das Vorschaubild nicht lesen."),
    "invalidMetadata": gettext_noop("YouTube hat die Angaben zur Untertitelspur abgelehnt."),
    "contentRequired": gettext_noop("Die Untertiteldatei ist leer."),
    "invalidPlaylistSnippet": gettext_noop("Der Playlist-Titel ist leer oder zu lang."),
    "forbidden": gettext_noop(
        "Der Kanal darf das nicht (eigene Vorschaubilder brauchen zum Beispiel einen "
        "bestätigten Kanal)."
    ),
    "noMedia": gettext_noop(
        "Die Geschichte hat kein fertig verarbeitetes Video zum Veröffentlichen."
    ),
}


def failure_text(code: str, **params: Any) -> str:
    """The failure ``code`` with ``params`` in words, in the active language ("" if unknown)."""
    detail = str(params.get("detail") or "")
    if code == REJECTED:
        known = REJECTED_TEXTS.get(str(params.get("reason", "")))
        return _(known) if known else detail
    if code == VIDEO_GONE:
        return _("Das Video gibt es auf YouTube nicht mehr (es wurde dort gelöscht).")
    if code == REFUSED:
        return _("YouTube hat die Anfrage abgelehnt: %(error)s") % {"error": detail}
    if code == KEPT_FAILING:
        return _("YouTube oder das Netz ist wiederholt ausgefallen; bitte später erneut versuchen.")
    if code == PROCESSING_REFUSED:
        return _("YouTube konnte das Video nicht veröffentlichen (%(state)s: %(detail)s).") % {
            "state": params.get("state", ""),
            "detail": detail or _("kein Grund angegeben"),
        }
    if code == TOO_LONG:
        return _("YouTube hat die Verarbeitung des Videos nicht rechtzeitig abgeschlossen.")
    return ""


def nothing_on_youtube() -> str:
    return _("Nichts wurde auf YouTube veröffentlicht.")


def takedown_outcome_text(outcome: str) -> str:
    """What the takedown's first step did to the video (private, deleted, gone), in words."""
    words = {
        "private": _("auf privat gestellt"),
        "deleted": _("gelöscht"),
        "gone": _("war schon nicht mehr da"),
    }
    return words.get(outcome, outcome)


def video_taken_down(video_id: str, outcome: str) -> str:
    """The audit comment of a takedown YouTube confirmed."""
    return _("YouTube-Video %(video)s: %(outcome)s") % {
        "video": video_id,
        "outcome": takedown_outcome_text(outcome),
    }


def story_withdrawn() -> str:
    return _("Die Geschichte wurde zurückgezogen oder gesperrt.")
