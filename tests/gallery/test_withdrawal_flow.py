"""Withdrawal end to end: a story published to the YouTube stand-in by the real worker is
withdrawn on the status page; it is gone from the gallery, feed and sitemap at once, the
takedown reaches the stand-in and the partner who downloaded material is e-mailed."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from publishing.partners.models import KitDownload, Partner, PartnerKit
from publishing.youtube import services as publishing_services
from publishing.youtube.models import Publication
from stories.links import status_token
from stories.models import AuditEntry, Story
from tests.publishing.youtube.conftest import Standin
from tests.support.publishing_fixtures import PublishWorker, make_approved_story, wait_for_status
from tests.support.services import CeleryWorker, wait_for
from workers.reconcile import reconcile_all
from workers.tasks.retention import withdrawal_followup

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

P = Publication.Status


def _partner(name: str, email: str) -> Partner:
    return Partner.objects.create(
        name=name,
        contact_name="Kontakt",
        email=email,
        ref_code=f"ref-{secrets.token_hex(3)}",
        status=Partner.Status.APPROVED,
        languages=["de"],
    )


def _download(partner: Partner, *, when: Any) -> KitDownload:
    kit = PartnerKit.objects.create(
        slot=f"partner-{partner.pk}", partner=partner, status="ready", generated_hash="h"
    )
    return KitDownload.objects.create(
        kit=kit, partner=partner, asset="de/banner-300x250.png", kit_hash="h", downloaded_at=when
    )


def _mails_to(mail_dir: Path, address: str) -> list[str]:
    found = []
    for path in mail_dir.glob("*.log"):
        text = path.read_text(errors="replace")
        for message in text.split("-" * 79):
            if f"To: {address}" in message:
                found.append(message)
    return found


def test_withdrawal_on_the_status_page_takes_the_story_down_everywhere(
    publish_worker: PublishWorker,
    youtube_standin: Standin,
    channel: Any,
    celery_worker: CeleryWorker,
    mail_dir: Path,
    client: Client,
) -> None:
    story = make_approved_story(title=f"Amina baut auf {secrets.token_hex(2)}")
    early = _partner("Früher Verein", f"frueh-{secrets.token_hex(3)}@example.org")
    _download(early, when=timezone.now() - timedelta(days=30))
    publishing_services.publication_request(story=story, actor=None)
    publication = wait_for_status(story, P.PUBLISHED, publish_worker)
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
    holder = _partner("Sportverein Celle", f"sport-{secrets.token_hex(3)}@example.org")
    _download(holder, when=timezone.now())

    gallery = client.get("/geschichten/").content.decode()
    assert story.title in gallery
    assert str(story.public_id) in client.get("/sitemap.xml").content.decode()

    status_url = f"/status/{status_token(public_id=str(story.public_id))}/"
    response = client.post(status_url, {"action": "withdraw", "confirm": "yes"})
    assert response.status_code == 302

    # At once, before any worker ran: gone from every public place of ours.
    assert story.title not in client.get("/geschichten/").content.decode()
    assert client.get(f"/geschichten/{story.public_id}/").status_code == 404
    assert client.get(f"/geschichten/{story.public_id}/poster.jpg").status_code == 404
    assert str(story.public_id) not in client.get("/geschichten/feed/").content.decode()
    assert str(story.public_id) not in client.get("/sitemap.xml").content.decode()

    # The takedown (the reconciler picks up withdrawn stories) and the partner sweep run.
    reconcile_all(now=timezone.now())
    withdrawal_followup.delay()
    wait_for_status(story, P.TAKEN_DOWN, publish_worker)
    assert youtube_standin.state()["videos"][publication.video_id]["privacyStatus"] == "private"
    wait_for(
        lambda: bool(_mails_to(mail_dir, holder.email)),
        timeout=60,
        what="the partner's e-mail",
        interval=0.2,
    )
    (mail,) = _mails_to(mail_dir, holder.email)
    assert story.title in mail and str(story.public_id) in mail
    assert _mails_to(mail_dir, early.email) == []  # downloaded before the story was public

    actions = set(AuditEntry.objects.filter(story=story).values_list("action", flat=True))
    assert {
        "stories.story.withdraw",
        "publishing.publication.taken_down",
        "gallery.partners.withdrawal_notified",
    } <= actions
    notified = AuditEntry.objects.get(story=story, action="gallery.partners.withdrawal_notified")
    assert notified.after == {"partners": [holder.pk], "basis": "any_download_since_publication"}
