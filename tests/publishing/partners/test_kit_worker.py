"""One partner's kit generated end to end by the real Celery worker on the real Redis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from publishing.partners import services
from publishing.partners.models import Partner, PartnerKit
from tests.support.services import CeleryWorker, wait_for

pytestmark = pytest.mark.worker


def _kit(partner: Partner) -> PartnerKit | None:
    return PartnerKit.objects.filter(partner=partner).first()


def test_worker_generates_the_kit_once(
    celery_worker: CeleryWorker, make_partner: Callable[..., Any]
) -> None:
    with transaction.atomic():
        partner = make_partner(languages=["de", "ar"])  # approval enqueues on commit
    wait_for(
        lambda: (k := _kit(partner)) is not None and k.status in ("ready", "failed"),
        timeout=90,
        what="the kit to be generated\n" + celery_worker.log_tail(),
    )
    kit = _kit(partner)
    assert kit is not None
    assert kit.status == PartnerKit.Status.READY, kit.failure_reason
    assert kit.renders == 1 and kit.generated_hash == kit.input_hash
    assert default_storage.size(kit.zip_key) == kit.zip_bytes > 100_000
    paths = {f["path"] for f in kit.manifest["files"]}
    assert "ar/druck/zm-poster-a2-ar-druck-cmyk.pdf" in paths
    assert "de/banner/zm-banner-970x250-de@2x.webp" in paths

    # Asking again with unchanged inputs enqueues nothing, so nothing renders again.
    services.kit_request(partner=partner)
    kit.refresh_from_db()
    assert kit.status == PartnerKit.Status.READY and kit.renders == 1
