"""What the upload endpoint asks its owner app: registered in code, never named in settings.

The stories app registers its answers in ``StoriesConfig.ready`` (``stories.apps``):

- ``owner_for_token(upload_token) -> owner key | None``: the owner a token proves (nothing
  registered: every upload is refused);
- ``on_complete(upload_id) -> None``: a finished upload (after commit);
- ``in_use(upload_id) -> bool``: the upload is in use and may not be deleted over tus.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class UploadHooks:
    owner_for_token: Callable[[str], str | None] | None = None
    on_complete: Callable[[uuid.UUID], None] | None = None
    in_use: Callable[[uuid.UUID], bool] | None = None


hooks = UploadHooks()


def uploads_register(
    *,
    owner_for_token: Callable[[str], str | None],
    on_complete: Callable[[uuid.UUID], None],
    in_use: Callable[[uuid.UUID], bool],
) -> None:
    """Name the owner app's answers (called once, from an ``AppConfig.ready``)."""
    hooks.owner_for_token = owner_for_token
    hooks.on_complete = on_complete
    hooks.in_use = in_use
