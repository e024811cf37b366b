from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from kernel.media_errors import max_duration_minutes


def campaign(request: HttpRequest) -> dict[str, Any]:
    """Campaign name and alliance, and the longest video we take, for every template."""
    return {
        "CAMPAIGN_NAME": settings.CAMPAIGN_NAME,
        "CAMPAIGN_ALLIANCE": settings.CAMPAIGN_ALLIANCE,
        "MEDIA_MAX_DURATION_SECONDS": settings.MEDIA_MAX_DURATION_SECONDS,
        "MEDIA_MAX_DURATION_MINUTES": max_duration_minutes(),
    }
