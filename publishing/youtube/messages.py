"""Sentences for publishers about a publication that failed, in the interface language.

The publish tasks store these in ``Publication.failure_reason``; keeping them here keeps the
task module free of wording and every text in gettext.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def video_gone() -> str:
    return _("Das Video gibt es auf YouTube nicht mehr (es wurde dort gelöscht).")


def youtube_refused(error: object) -> str:
    return _("YouTube hat die Anfrage abgelehnt: %(error)s") % {"error": error}


def kept_failing() -> str:
    return _("YouTube oder das Netz ist wiederholt ausgefallen; bitte später erneut versuchen.")


def processing_refused(state: str, detail: str) -> str:
    return _("YouTube konnte das Video nicht veröffentlichen (%(state)s: %(detail)s).") % {
        "state": state,
        "detail": detail or _("kein Grund angegeben"),
    }


def processing_too_long() -> str:
    return _("YouTube hat die Verarbeitung des Videos nicht rechtzeitig abgeschlossen.")
