"""The partners side of a story's erasure: a partner's reference code names an organisation.

Connected to ``stories.signals.partner_code_known`` in ``PartnersConfig.ready``, so stories
keeps such a code when it erases a story and never imports the partners app.
"""

from __future__ import annotations

from typing import Any

from .models import Partner


def partner_code_is_known(sender: Any, *, ref: str, **kwargs: Any) -> bool:
    return Partner.objects.filter(ref_code=ref).exists()
