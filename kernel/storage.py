"""Small helpers around Django's storage configuration."""

from __future__ import annotations

from typing import Any, cast

from django.core.files.storage import storages


def media_backend_path() -> str:
    """The dotted path of the media storage backend currently configured."""
    backends = cast(dict[str, dict[str, Any]], storages.backends)
    return str(backends["default"]["BACKEND"])
