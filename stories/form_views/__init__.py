"""The supporter-facing submission form at /mitmachen/, one module per step.

Every step works as a plain HTML form POST; ``static/js/submit.js`` adds the resumable tus
upload, its progress and the character counter. The draft is created on the first save; its
private token and public id live in the server session (``DraftSession``), so a reload (or
coming back later in the same browser) finds the draft again. Views parse with
``stories.forms`` and write only through ``stories.services``.
"""

from __future__ import annotations

from django.http import HttpRequest

from ..models import Story
from .check import check_step, thanks
from .pages import easy_language
from .people import people_step
from .session import DraftSession
from .story import story_step
from .video import video_state, video_step


def open_for_revision(request: HttpRequest, *, story: Story, token: str) -> None:
    """Put a story with a change request into this browser's form, consents as given."""
    DraftSession(request).open_for_revision(story=story, token=token)


__all__ = [
    "DraftSession",
    "check_step",
    "easy_language",
    "open_for_revision",
    "people_step",
    "story_step",
    "thanks",
    "video_state",
    "video_step",
]
