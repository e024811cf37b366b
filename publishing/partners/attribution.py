"""Writes for attribution: visits through a partner's link."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import Partner, RefVisit


def ref_visit_record(*, ref: str) -> bool:
    """Count a visit of the form through a partner's link; unknown codes are ignored."""
    ref = ref.strip()[:40]
    if not ref or not Partner.objects.filter(ref_code=ref, status=Partner.Status.APPROVED).exists():
        return False
    today = timezone.localdate()
    updated = RefVisit.objects.filter(ref_code=ref, day=today).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RefVisit.objects.create(ref_code=ref, day=today, count=1)
        except IntegrityError:
            RefVisit.objects.filter(ref_code=ref, day=today).update(count=F("count") + 1)
    return True
