from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def campaign(request: HttpRequest) -> dict[str, Any]:
    """Campaign name and alliance for every template."""
    return {
        "CAMPAIGN_NAME": settings.CAMPAIGN_NAME,
        "CAMPAIGN_ALLIANCE": settings.CAMPAIGN_ALLIANCE,
    }
