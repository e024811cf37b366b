"""The story's video: the tus endpoint's hooks and attaching a finished upload."""

from __future__ import annotations

import logging
import uuid
from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import ConflictError

from ..audit import audit_record
from ..media_lifecycle import media_enqueue
from ..models import Story, StoryMedia
from ..upload_tokens import story_by_upload_token, story_upload_token
from .drafts import EDITABLE

if TYPE_CHECKING:
    from stories.uploads.models import Upload


logger = logging.getLogger(__name__)


def upload_owner_for_token(token: str) -> str | None:
    """The tus endpoint's owner check: the editable draft an upload token proves, as its key.

    The token (``upload_tokens``) is the only way in: a public id names a draft, it never
    proves one.
    """
    story = story_by_upload_token(token=token)
    if story is None or story.status not in EDITABLE:
        return None
    return str(story.public_id)


def upload_in_use(upload_id: uuid.UUID) -> bool:
    """The tus endpoint's termination guard: an attached video is not the uploader's to drop."""
    return StoryMedia.objects.filter(upload_id=upload_id).exists()


def _upload_is_the_drafts(*, story: Story, upload: Upload) -> bool:
    """Did this draft's owner make the upload: its key and the draft's own upload token?"""
    from stories.uploads.selectors import upload_token_matches

    return upload.owner_key == str(story.public_id) and upload_token_matches(
        upload=upload, token=story_upload_token(story=story)
    )


def on_upload_complete(upload_id: uuid.UUID) -> None:
    """The tus endpoint's completion hook: attach a finished video to its draft.

    Only an upload made with the draft's own upload token is attached; anything else stays
    unattached (and ``story_attach_video`` would refuse it too).
    """
    from stories.uploads.models import Upload

    upload = Upload.objects.filter(pk=upload_id).first()
    if upload is None or upload.state != Upload.State.COMPLETED:
        return
    story = Story.objects.filter(public_id=upload.owner_key).first()
    if story is None or story.status not in EDITABLE:
        return
    if not _upload_is_the_drafts(story=story, upload=upload):
        logger.warning("upload %s: not made with its draft's upload token, not attached", upload.pk)
        return
    story_attach_video(story=story, upload_id=upload.pk)


def story_attach_video(*, story: Story, upload_id: uuid.UUID) -> StoryMedia:
    """Make a completed upload the story's video and queue its processing. Idempotent.

    Only an upload the draft's owner made (with the draft's upload token) can be attached.
    """
    from stories.uploads.models import Upload

    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story.pk)
        if locked.status not in EDITABLE:
            raise ConflictError(_("Das Video kann jetzt nicht mehr ausgetauscht werden."))
        upload = Upload.objects.filter(pk=upload_id, owner_key=str(locked.public_id)).first()
        if upload is None or not _upload_is_the_drafts(story=locked, upload=upload):
            raise ValidationError({"video": [_("Diese Datei gehört nicht zu Ihrer Geschichte.")]})
        if upload.state != Upload.State.COMPLETED:
            raise ValidationError(
                {
                    "video": [
                        _("Die Datei ist noch nicht vollständig hochgeladen oder wurde abgelehnt.")
                    ]
                }
            )
        current = locked.media.filter(is_current=True).first()
        if current is not None and current.upload_id == upload.pk:
            return current
        if current is not None:
            StoryMedia.objects.filter(pk=current.pk).update(is_current=False)
        media = StoryMedia.objects.create(story=locked, upload=upload, enqueued_at=timezone.now())
        locked.video_upload = upload
        locked.save(update_fields=["video_upload", "updated_at"])
        audit_record(
            action="stories.media.attach",
            story=locked,
            actor_fallback="submitter",
            before={"upload": str(current.upload_id) if current else None},
            after={"upload": str(upload.pk)},
        )
        transaction.on_commit(partial(media_enqueue, media.pk))
    return media
