from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def campaign(request: HttpRequest) -> dict[str, Any]:
    """Campaign name and alliance, and the longest video we take, for every template."""
    return {
        "CAMPAIGN_NAME": settings.CAMPAIGN_NAME,
        "CAMPAIGN_ALLIANCE": settings.CAMPAIGN_ALLIANCE,
        "MEDIA_MAX_DURATION_SECONDS": settings.MEDIA_MAX_DURATION_SECONDS,
        "MEDIA_MAX_DURATION_MINUTES": max_duration_minutes(),
    }


def max_duration_minutes() -> str:
    """The duration limit in minutes as people say it: "5", or "2,5" in German."""
    from django.utils.formats import number_format

    minutes = settings.MEDIA_MAX_DURATION_SECONDS / 60
    return number_format(round(minutes, 1), decimal_pos=0 if minutes == int(minutes) else 1)
