"""Writes for attribution: visits through a partner's link."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import Partner, RefVisit

VISITOR_SEEN_SECONDS = 24 * 3600


def _first_visit_today(ref: str, visitor: str, day: str) -> bool:
    """True the first time ``visitor`` comes through ``ref`` today. Only a salted hash of the
    visitor (address and browser) is kept, in the cache, for a day: no cookie, no profile."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|{day}|{ref}|{visitor}".encode()).hexdigest()
    key = f"partners:visit:{digest[:40]}"
    if cache.add(key, 1, timeout=VISITOR_SEEN_SECONDS):
        return True
    # Not added: seen before, or the cache is unreachable (then count rather than lose it).
    return cache.get(key) is None


def ref_visit_record(*, ref: str, visitor: str = "") -> bool:
    """Count a visit of the form through a partner's link, once per visitor and day (reloads
    and the steps of the form are not new visits); unknown codes are ignored."""
    ref = ref.strip()[:40]
    if not ref or not Partner.objects.filter(ref_code=ref, status=Partner.Status.APPROVED).exists():
        return False
    today = timezone.localdate()
    if visitor and not _first_visit_today(ref, visitor, today.isoformat()):
        return False
    updated = RefVisit.objects.filter(ref_code=ref, day=today).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RefVisit.objects.create(ref_code=ref, day=today, count=1)
        except IntegrityError:
            RefVisit.objects.filter(ref_code=ref, day=today).update(count=F("count") + 1)
    return True
