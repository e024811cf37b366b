"""The submitter's answer to a change request, written on the private status page.

The answer is one append-only audit entry on the story (``stories.story.reply``): the
moderators read it in the story's log on the review page, and it survives every later edit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kernel.errors import ApplicationError, ConflictError

from .audit import audit_record
from .models import AuditEntry, Story
from .timeline import REPLY_ACTION

REPLY_MAX_LENGTH = 2000


def story_reply_to_change_request(*, story_id: int, text: str) -> AuditEntry:
    text = text.strip()
    if not text:
        raise ApplicationError(_("Bitte schreiben Sie eine Antwort."))
    if len(text) > REPLY_MAX_LENGTH:
        raise ApplicationError(
            _("Die Antwort ist zu lang (höchstens %(n)s Zeichen).") % {"n": REPLY_MAX_LENGTH}
        )
    with transaction.atomic():
        story = Story.objects.select_for_update().get(pk=story_id)
        if story.status != Story.Status.CHANGES_REQUESTED:
            raise ConflictError(_("Zu dieser Geschichte gibt es gerade keine offene Bitte."))
        return audit_record(
            action=REPLY_ACTION, story=story, actor_fallback="submitter", comment=text
        )
