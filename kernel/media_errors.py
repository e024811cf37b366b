"""Exceptions of the media pipeline and the user-facing rejection messages.

Every rejection carries a stable ``code`` (stored on the row, shown in the moderation UI) and a
short plain-language message. The messages live in one table keyed by code and language so that
the upload form, the e-mail to the supporter and the moderation view all say the same thing.
"""

from __future__ import annotations

from enum import StrEnum

DEFAULT_LANGUAGE = "de"
LANGUAGES = ("de", "en", "ar", "fa", "uk", "tr")


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


REJECTION_MESSAGES: dict[RejectionCode, dict[str, str]] = {
    RejectionCode.NO_VIDEO_STREAM: {
        "de": "Die Datei enthält kein Video.",
        "en": "The file contains no video.",
        "ar": "الملف لا يحتوي على فيديو.",
        "fa": "این فایل ویدیو ندارد.",
        "uk": "Файл не містить відео.",
        "tr": "Dosyada video yok.",
    },
    RejectionCode.AUDIO_ONLY: {
        "de": "Die Datei enthält nur Ton. Bitte laden Sie ein Video hoch.",
        "en": "The file contains only sound. Please upload a video.",
        "ar": "الملف يحتوي على صوت فقط. يرجى رفع فيديو.",
        "fa": "این فایل فقط صدا دارد. لطفاً یک ویدیو بارگذاری کنید.",
        "uk": "Файл містить лише звук. Будь ласка, завантажте відео.",
        "tr": "Dosyada yalnızca ses var. Lütfen bir video yükleyin.",
    },
    RejectionCode.STILL_IMAGE: {
        "de": "Die Datei ist ein Foto, kein Video.",
        "en": "The file is a photo, not a video.",
        "ar": "الملف صورة وليس فيديو.",
        "fa": "این فایل یک عکس است، نه ویدیو.",
        "uk": "Файл є фотографією, а не відео.",
        "tr": "Dosya bir fotoğraf, video değil.",
    },
    RejectionCode.TOO_LONG: {
        "de": "Das Video ist zu lang. Bitte kürzen Sie es auf höchstens 5 Minuten.",
        "en": "The video is too long. Please shorten it to 5 minutes at most.",
        "ar": "الفيديو طويل جدًا. يرجى تقصيره إلى 5 دقائق كحد أقصى.",
        "fa": "ویدیو خیلی طولانی است. لطفاً آن را حداکثر به ۵ دقیقه کوتاه کنید.",
        "uk": "Відео задовге. Будь ласка, скоротіть його до 5 хвилин.",
        "tr": "Video çok uzun. Lütfen en fazla 5 dakikaya kısaltın.",
    },
    RejectionCode.TOO_SHORT: {
        "de": "Das Video ist zu kurz.",
        "en": "The video is too short.",
        "ar": "الفيديو قصير جدًا.",
        "fa": "ویدیو خیلی کوتاه است.",
        "uk": "Відео закоротке.",
        "tr": "Video çok kısa.",
    },
    RejectionCode.RESOLUTION_TOO_HIGH: {
        "de": "Die Auflösung des Videos ist zu hoch. Bitte nehmen Sie in 4K oder weniger auf.",
        "en": "The video resolution is too high. Please record in 4K or lower.",
        "ar": "دقة الفيديو عالية جدًا. يرجى التصوير بدقة 4K أو أقل.",
        "fa": "وضوح ویدیو خیلی بالاست. لطفاً با 4K یا کمتر فیلم بگیرید.",
        "uk": "Роздільна здатність відео завелика. Знімайте у 4K або нижче.",
        "tr": "Video çözünürlüğü çok yüksek. Lütfen 4K veya daha düşük kaydedin.",
    },
    RejectionCode.UNDECODABLE: {
        "de": "Die Datei ist beschädigt oder unvollständig. Bitte laden Sie sie erneut hoch.",
        "en": "The file is damaged or incomplete. Please upload it again.",
        "ar": "الملف تالف أو غير مكتمل. يرجى رفعه مرة أخرى.",
        "fa": "فایل خراب یا ناقص است. لطفاً دوباره بارگذاری کنید.",
        "uk": "Файл пошкоджений або неповний. Будь ласка, завантажте його ще раз.",
        "tr": "Dosya bozuk veya eksik. Lütfen yeniden yükleyin.",
    },
    RejectionCode.NOT_AN_IMAGE: {
        "de": "Die Datei ist kein Foto (JPEG, PNG oder WebP).",
        "en": "The file is not a photo (JPEG, PNG or WebP).",
        "ar": "الملف ليس صورة (JPEG أو PNG أو WebP).",
        "fa": "این فایل عکس نیست (JPEG، PNG یا WebP).",
        "uk": "Файл не є фотографією (JPEG, PNG або WebP).",
        "tr": "Dosya bir fotoğraf değil (JPEG, PNG veya WebP).",
    },
    RejectionCode.IMAGE_TOO_LARGE: {
        "de": "Das Foto ist zu groß. Bitte laden Sie eine kleinere Version hoch.",
        "en": "The photo is too large. Please upload a smaller version.",
        "ar": "الصورة كبيرة جدًا. يرجى رفع نسخة أصغر.",
        "fa": "عکس خیلی بزرگ است. لطفاً نسخه کوچک‌تری بارگذاری کنید.",
        "uk": "Фото завелике. Будь ласка, завантажте меншу версію.",
        "tr": "Fotoğraf çok büyük. Lütfen daha küçük bir sürüm yükleyin.",
    },
}


def rejection_message(code: RejectionCode | str, language: str | None = None) -> str:
    """Return the short user-facing message for ``code`` in ``language``.

    Falls back to German for an unknown or missing language (``"pt-BR"`` tries ``"pt"``).
    Raises ``ValueError`` for an unknown code.
    """
    messages = REJECTION_MESSAGES[RejectionCode(code)]
    lang = (language or DEFAULT_LANGUAGE).lower().replace("_", "-")
    return messages.get(lang) or messages.get(lang.split("-")[0]) or messages[DEFAULT_LANGUAGE]


class MediaError(Exception):
    """Base class of every error raised by the media pipeline (``workers.media``) and photos."""


class MediaRejected(MediaError):
    """The upload can never be turned into a video; retrying will not help.

    ``code`` is stable and stored, ``message_de`` is what the supporter reads,
    ``technical`` is for logs and moderators (ffprobe/ffmpeg detail).
    """

    def __init__(self, code: RejectionCode, message_de: str | None = None, technical: str = ""):
        self.code = RejectionCode(code)
        self.message_de = message_de or rejection_message(self.code, "de")
        self.technical = technical
        super().__init__(f"{self.code}: {technical or self.message_de}")

    def message(self, language: str | None = None) -> str:
        """The user-facing message in ``language`` (German fallback)."""
        return rejection_message(self.code, language)


class PhotoRejected(MediaRejected):
    """A photo upload is not a usable image (not an image, decompression bomb, too large)."""


class TranscodeFailed(MediaError):
    """ffmpeg failed or its output did not verify.

    ``reason_de``/``reason_en`` are short readable reasons, ``stderr_tail`` holds the last
    lines of ffmpeg's stderr for the logs. Transient or not cannot be told from here; a task
    should retry a small number of times at most.
    """

    def __init__(self, reason_de: str, reason_en: str, stderr_tail: str = ""):
        self.reason_de = reason_de
        self.reason_en = reason_en
        self.stderr_tail = stderr_tail
        super().__init__(reason_en + (f"\n{stderr_tail}" if stderr_tail else ""))


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
