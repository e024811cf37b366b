"""The application's error hierarchy: services raise these, views and the API render them.

``config.api.exception_handler`` turns them into the API's one error shape.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A domain error a client can act on; ``status_code`` decides the HTTP status."""

    status_code: int = 400

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The object is not in a state that allows the action (409)."""

    status_code = 409


class ForbiddenError(ApplicationError):
    """The user may not take this action (403)."""

    status_code = 403
