"""Exceptions of the media pipeline and the user-facing rejection messages.

Every rejection carries a stable ``code`` (stored on the row, shown in the moderation UI) and a
short plain-language message. The messages are German gettext msgids in one table keyed by code
(translations in ``locale/``), so that the upload form, the e-mail to the supporter and the
moderation view all say the same thing in the supporter's language.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

DEFAULT_LANGUAGE = "de"
LANGUAGES = ("de", "en", "ar", "fa", "uk", "tr")
StrOrPromise = str | Promise


class RejectionCode(StrEnum):
    """Why an upload cannot be used; the value is stored and never renamed."""

    NO_VIDEO_STREAM = "no_video_stream"
    AUDIO_ONLY = "audio_only"
    STILL_IMAGE = "still_image"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    RESOLUTION_TOO_HIGH = "resolution_too_high"
    UNDECODABLE = "undecodable"
    NOT_AN_IMAGE = "not_an_image"
    IMAGE_TOO_LARGE = "image_too_large"


REJECTION_MESSAGES: dict[RejectionCode, StrOrPromise] = {
    RejectionCode.NO_VIDEO_STREAM: gettext_lazy("Die Datei enthält kein Video."),
    RejectionCode.AUDIO_ONLY: gettext_lazy(
        "Die Datei enthält nur Ton. Bitte laden Sie ein Video hoch."
    ),
    RejectionCode.STILL_IMAGE: gettext_lazy("Die Datei ist ein Foto, kein Video."),
    RejectionCode.TOO_LONG: gettext_lazy(
        "Das Video ist zu lang. Bitte kürzen Sie es auf höchstens %(minutes)s Minuten."
    ),
    RejectionCode.TOO_SHORT: gettext_lazy("Das Video ist zu kurz."),
    RejectionCode.RESOLUTION_TOO_HIGH: gettext_lazy(
        "Die Auflösung des Videos ist zu hoch. Bitte nehmen Sie in 4K oder weniger auf."
    ),
    RejectionCode.UNDECODABLE: gettext_lazy(
        "Die Datei ist beschädigt oder unvollständig. Bitte laden Sie sie erneut hoch."
    ),
    RejectionCode.NOT_AN_IMAGE: gettext_lazy("Die Datei ist kein Foto (JPEG, PNG oder WebP)."),
    RejectionCode.IMAGE_TOO_LARGE: gettext_lazy(
        "Das Foto ist zu groß. Bitte laden Sie eine kleinere Version hoch."
    ),
}


# Why a transcode failed, for the supporter (German msgids; ``TranscodeFailed.reason``).
TRANSCODE_REASONS: dict[str, StrOrPromise] = {
    "cancelled": gettext_lazy("Die Umwandlung wurde abgebrochen."),
    "timed_out": gettext_lazy("Die Umwandlung hat zu lange gedauert."),
    "job_timed_out": gettext_lazy("Die Verarbeitung hat zu lange gedauert."),
    "encode_failed": gettext_lazy("Das Video konnte nicht umgewandelt werden."),
    "poster_failed": gettext_lazy("Das Vorschaubild konnte nicht erstellt werden."),
    "bad_output": gettext_lazy("Die umgewandelte Datei ist fehlerhaft."),
    "loudness_timed_out": gettext_lazy("Die Lautstärkemessung hat zu lange gedauert."),
    "loudness_failed": gettext_lazy("Die Lautstärke konnte nicht gemessen werden."),
    "not_stored": gettext_lazy("Die Datei konnte nicht gespeichert werden."),
}


def _language(language: str | None) -> str:
    return (language or DEFAULT_LANGUAGE).lower().replace("_", "-")


def in_language(text: StrOrPromise, language: str | None = None) -> str:
    """``text`` (a gettext_lazy msgid) in ``language``; German for a language we lack."""
    lang = _language(language)
    if lang not in LANGUAGES and lang.split("-")[0] not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    with translation.override(lang):
        return str(text)


def rejection_message(code: RejectionCode | str, language: str | None = None) -> str:
    """Return the short user-facing message for ``code`` in ``language``.

    Falls back to German for an unknown or missing language (``"pt-BR"`` tries ``"pt"``).
    Raises ``ValueError`` for an unknown code.
    """
    code = RejectionCode(code)
    text = in_language(REJECTION_MESSAGES[code], language)
    if code == RejectionCode.TOO_LONG:  # the limit is a setting, not a number in the text
        with translation.override(_language(language)):
            text = text % {"minutes": max_duration_minutes()}
    return text


def max_duration_minutes() -> str:
    """MEDIA_MAX_DURATION_SECONDS in minutes as people say it: "5", or "2,5" in German."""
    minutes = settings.MEDIA_MAX_DURATION_SECONDS / 60
    return number_format(round(minutes, 1), decimal_pos=0 if minutes == int(minutes) else 1)


class MediaError(Exception):
    """Base class of every error raised by the media pipeline (``workers.media``) and photos."""


class MediaRejected(MediaError):
    """The upload can never be turned into a video; retrying will not help.

    ``code`` is stable and stored, ``message_de`` is what the supporter reads,
    ``technical`` is for logs and moderators (ffprobe/ffmpeg detail).
    """

    def __init__(self, code: RejectionCode, message_de: str | None = None, technical: str = ""):
        self.code = RejectionCode(code)
        self.message_de = message_de or rejection_message(self.code, DEFAULT_LANGUAGE)
        self.technical = technical
        super().__init__(f"{self.code}: {technical or self.message_de}")

    def message(self, language: str | None = None) -> str:
        """The user-facing message in ``language`` (German fallback)."""
        return rejection_message(self.code, language)


class PhotoRejected(MediaRejected):
    """A photo upload is not a usable image (not an image, decompression bomb, too large)."""


class TranscodeFailed(MediaError):
    """ffmpeg failed or its output did not verify.

    ``reason`` is a short readable reason (a gettext_lazy msgid, German) that ``message``
    renders in the supporter's language; ``technical`` (English) and ``stderr_tail`` (the last
    lines of ffmpeg's stderr) are for the logs. Transient or not cannot be told from here; a
    task should retry a small number of times at most.
    """

    def __init__(self, reason: StrOrPromise, technical: str, stderr_tail: str = ""):
        self.reason = reason
        self.technical = technical
        self.stderr_tail = stderr_tail
        super().__init__(technical + (f"\n{stderr_tail}" if stderr_tail else ""))

    def message(self, language: str | None = None) -> str:
        """The readable reason in ``language`` (German fallback)."""
        return in_language(self.reason, language)


class TranscodeCancelled(TranscodeFailed):
    """The run was cancelled through its ``cancel_event``; ffmpeg was killed, temp files removed."""


class TranscodeTimedOut(TranscodeFailed):
    """The run exceeded ``timeout_s``; ffmpeg was killed, temp files removed."""


class InsufficientDiskSpace(MediaError):
    """The working directory's file system has less free space than the job needs."""

    def __init__(self, *, path: str, needed_bytes: int, free_bytes: int):
        self.path = path
        self.needed_bytes = needed_bytes
        self.free_bytes = free_bytes
        super().__init__(
            f"Not enough free disk space in {path}: need {_human(needed_bytes)}, "
            f"only {_human(free_bytes)} free."
        )


def _human(num_bytes: int) -> str:
    size = float(num_bytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    return f"{size:.1f} TiB"  # pragma: no cover - loop always returns
