"""Writes for a story's optional photos and subtitles.

Photos are re-encoded on arrival (upright, no EXIF or location, size-limited, safe against
decompression bombs); subtitles are parsed and stored as clean WebVTT. Both are small, so
the work happens in the request; the stored names are random keys, never the user's names.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.errors import ConflictError
from kernel.media_errors import PhotoRejected

from . import subtitles
from .audit import audit_record
from .models import Story, StoryPhoto, StorySubtitle
from .photos import sanitize_photo
from .services import EDITABLE

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 15 * 1024 * 1024


def _editable(story: Story) -> Story:
    locked = Story.objects.select_for_update().get(pk=story.pk)
    if locked.status not in EDITABLE:
        raise ConflictError(_("Die Geschichte kann jetzt nicht mehr bearbeitet werden."))
    return locked


def story_add_photo(*, story: Story, file: IO[bytes], size: int) -> StoryPhoto:
    """Add one photo; raises ValidationError with a message for the person who sent it."""
    if size > MAX_PHOTO_BYTES:
        raise ValidationError({"photos": [_("Ein Foto darf höchstens 15 MB groß sein.")]})
    if story.photos.count() >= MAX_PHOTOS:
        raise ValidationError({"photos": [_("Sie können höchstens 5 Fotos hinzufügen.")]})
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "photo.jpg"
        try:
            result = sanitize_photo(file, target)
        except PhotoRejected as exc:
            raise ValidationError({"photos": [exc.message(story.language)]}) from exc
        key = f"stories/{story.public_id}/photos/{uuid.uuid4().hex}.jpg"
        with target.open("rb") as fh:
            key = default_storage.save(key, File(fh, name="photo.jpg"))
    with transaction.atomic():
        locked = _editable(story)
        if locked.photos.count() >= MAX_PHOTOS:
            default_storage.delete(key)
            raise ValidationError({"photos": [_("Sie können höchstens 5 Fotos hinzufügen.")]})
        photo = StoryPhoto.objects.create(
            story=locked,
            storage_key=key,
            width=result.width,
            height=result.height,
            position=locked.photos.count(),
        )
        audit_record(
            action="stories.photo.add",
            story=locked,
            actor_fallback="submitter",
            after={"photo": photo.pk, "size": f"{result.width}x{result.height}"},
        )
    return photo


def story_remove_photo(*, story: Story, photo_id: int) -> None:
    with transaction.atomic():
        locked = _editable(story)
        photo = locked.photos.filter(pk=photo_id).first()
        if photo is None:
            return
        key = photo.storage_key
        photo.delete()
        audit_record(
            action="stories.photo.remove",
            story=locked,
            actor_fallback="submitter",
            before={"photo": photo_id},
        )
        transaction.on_commit(lambda: default_storage.delete(key))


SUBTITLE_MESSAGES = {
    "too_large": gettext_lazy("Die Untertitel-Datei ist zu groß (höchstens 512 KB)."),
    "not_subtitles": gettext_lazy(
        "Das ist keine Untertitel-Datei. Bitte wählen Sie eine SRT- oder WebVTT-Datei."
    ),
}


def story_set_subtitles(*, story: Story, raw: bytes, language: str) -> StorySubtitle:
    """Store (or replace) the story's subtitles as WebVTT."""
    try:
        cues = subtitles.parse(raw)
    except subtitles.SubtitleError as exc:
        raise ValidationError({"subtitles": [str(SUBTITLE_MESSAGES[exc.code])]}) from exc
    key = default_storage.save(
        f"stories/{story.public_id}/subtitles/{uuid.uuid4().hex}.vtt",
        ContentFile(subtitles.to_webvtt(cues).encode()),
    )
    with transaction.atomic():
        locked = _editable(story)
        old = StorySubtitle.objects.filter(story=locked).first()
        old_key = old.storage_key if old else None
        subtitle, _created = StorySubtitle.objects.update_or_create(
            story=locked,
            defaults={"storage_key": key, "language": language[:16], "cue_count": len(cues)},
        )
        audit_record(
            action="stories.subtitles.set",
            story=locked,
            actor_fallback="submitter",
            after={"language": subtitle.language, "cues": len(cues)},
        )
        if old_key:
            transaction.on_commit(lambda: default_storage.delete(old_key))
    return subtitle
