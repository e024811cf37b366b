"""The draft this browser is working on, kept in the server session: one small class."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .. import selectors
from ..models import Story


class DraftSession:
    """Which draft this browser edits (its private token and public id), the partner ref it
    came with, the consents given on the people step and whether the story was sent.

    The token lives only in the server session, so a reload (or coming back later in the same
    browser) finds the draft again and nothing secret goes into a URL.
    """

    TOKEN = "zm_form_token"  # noqa: S105 - a session key, not a secret
    STORY = "zm_form_story"
    REF = "zm_form_ref"
    CONSENTS = "zm_form_consents"
    MINOR = "zm_form_minor_answered"
    SENT = "zm_form_sent"

    def __init__(self, request: HttpRequest) -> None:
        self.session = request.session

    # --- The draft ------------------------------------------------------------------------
    def story(self) -> Story | None:
        """The editable draft of this browser session, if any."""
        token = self.session.get(self.TOKEN)
        if not token:
            return None
        story = selectors.story_by_access_token(token=token)
        if story is None or str(story.public_id) != self.session.get(self.STORY):
            return None
        if story.status not in (Story.Status.DRAFT, Story.Status.CHANGES_REQUESTED):
            return None
        return story

    def start(self, *, story: Story, token: str) -> None:
        """The first save created ``story``; this browser holds its token from now on."""
        self.session[self.TOKEN] = token
        self.session[self.STORY] = str(story.public_id)

    def open_for_revision(self, *, story: Story, token: str) -> None:
        """Put a story with a change request into this browser's form, consents as given."""
        self.start(story=story, token=token)
        self.session[self.MINOR] = True
        given = {
            record.purpose: record.consent_text_id
            for record in story.consents.filter(granted=True, subject="submitter")
        }
        self.session[self.CONSENTS] = {"given": list(given), "texts": given}

    def forget(self) -> None:
        for key in (self.TOKEN, self.STORY, self.CONSENTS, self.MINOR, self.REF):
            self.session.pop(key, None)

    # --- What came with it ----------------------------------------------------------------
    @property
    def ref(self) -> str:
        return str(self.session.get(self.REF, ""))

    def remember_ref(self, ref: str) -> None:
        """A partner's reference from the link, kept until the draft is created."""
        ref = ref.strip()[:40]
        if ref and self.story() is None:
            self.session[self.REF] = ref

    @property
    def consents(self) -> dict[str, Any]:
        """``given`` (purposes), ``texts`` (purpose → id of the text shown) and ``language``."""
        value = self.session.get(self.CONSENTS)
        return value if isinstance(value, dict) else {"given": [], "texts": {}}

    def store_consents(self, *, given: list[str], texts: dict[str, int], language: str) -> None:
        self.session[self.CONSENTS] = {"given": given, "texts": texts, "language": language}

    @property
    def minor_answered(self) -> bool:
        return bool(self.session.get(self.MINOR))

    def mark_minor_answered(self) -> None:
        self.session[self.MINOR] = True

    # --- After sending --------------------------------------------------------------------
    @property
    def was_sent(self) -> bool:
        return self.SENT in self.session

    @property
    def sent_to(self) -> str:
        return str(self.session.get(self.SENT, ""))

    def mark_sent(self, email: str) -> None:
        """The story was sent (or a bot was quietly let through): the thanks page may show."""
        self.session[self.SENT] = email
