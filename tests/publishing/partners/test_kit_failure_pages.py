"""A failed or stuck kit says so on its page, in words, with the next step."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from publishing.partners.models import PartnerKit
from publishing.partners.selectors import PUBLIC_SLOT

pytestmark = pytest.mark.django_db

WAITING = "wird gerade erstellt"
FAILED = "Beim Erstellen des Materials ist ein Fehler aufgetreten"


def _public_kit(**fields: Any) -> PartnerKit:
    from publishing.partners import services

    kit = services.kit_request(partner=None)
    PartnerKit.objects.filter(pk=kit.pk).update(**fields)
    kit.refresh_from_db()
    assert kit.slot == PUBLIC_SLOT
    return kit


def _page() -> str:
    response = Client().get("/partner/material/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_failed_kit_reads_as_failed_and_is_not_asked_for_again_at_once() -> None:
    kit = _public_kit(
        status=PartnerKit.Status.FAILED,
        failure_reason="KeyError: 106",
        finished_at=timezone.now(),
    )
    page = _page()
    assert FAILED in page and "in einigen Minuten automatisch erneut" in page
    assert WAITING not in page
    kit.refresh_from_db()
    assert kit.status == PartnerKit.Status.FAILED  # the visit did not turn it into "waiting"


def test_a_failed_kit_is_asked_for_again_once_the_retry_time_passed(settings: Any) -> None:
    kit = _public_kit(
        status=PartnerKit.Status.FAILED,
        finished_at=timezone.now() - timedelta(seconds=settings.KIT_RETRY_AFTER + 1),
    )
    page = _page()
    kit.refresh_from_db()
    assert kit.status == PartnerKit.Status.STALE
    assert WAITING in page


@pytest.mark.parametrize(
    "fields",
    [
        {"status": PartnerKit.Status.GENERATING, "started_at_ago": True},
        {"status": PartnerKit.Status.STALE, "requested_at_ago": True},
    ],
    ids=["worker-died-while-generating", "message-lost"],
)
def test_a_kit_nobody_works_on_does_not_look_in_progress(
    settings: Any, fields: dict[str, Any]
) -> None:
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_STUCK_AFTER + 60)
    update: dict[str, Any] = {"status": fields["status"], "attempts": 4}
    if fields.get("started_at_ago"):
        update["started_at"] = long_ago
    if fields.get("requested_at_ago"):
        update["requested_at"] = long_ago
    _public_kit(**update)
    page = _page()
    assert FAILED in page
    assert WAITING not in page


def test_a_kit_being_made_right_now_says_so() -> None:
    _public_kit(status=PartnerKit.Status.GENERATING, started_at=timezone.now())
    assert WAITING in _page()
