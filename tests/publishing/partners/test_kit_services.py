"""Kit generation, caching by input hash, the ZIP and its guide, downloads, attribution and
accounts, through the services and the HTTP views (the worker path is in test_kit_worker)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from publishing.partners import selectors, services
from publishing.partners.models import KitDownload, Partner, PartnerKit, RefVisit
from stories.models import AuditEntry, Story

pytestmark = pytest.mark.django_db


def _generate(partner: Partner | None, capture: Any) -> PartnerKit:
    with capture(execute=False) as callbacks:
        kit = services.kit_request(partner=partner)
    assert len(callbacks) <= 1
    services.kit_generate(kit_id=kit.pk)
    kit.refresh_from_db()
    return kit


def _login(client: Client, partner: Partner) -> None:
    assert partner.user is not None
    client.force_login(partner.user)


def test_registration_approval_and_invitation_flow(client: Client) -> None:
    response = client.post(
        reverse("partners:register"),
        {
            "name": "SV Integration Lüneburg",
            "contact_name": "Tom Trainer",
            "email": "tom@sv.example",
            "website": "sv.example",
            "colour_variant": "dunkel",
            "languages": ["de", "tr"],
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get(name="SV Integration Lüneburg")
    assert partner.status == Partner.Status.PENDING
    assert re.fullmatch(r"sv-integration-luneburg-[0-9a-f]{4}", partner.ref_code)

    link = services.partner_approve(partner=partner, actor=None)
    partner.refresh_from_db()
    assert partner.status == Partner.Status.APPROVED and partner.user is not None
    token = link.rstrip("/").rsplit("/", 1)[-1]
    page = client.get(reverse("partners:invitation", args=[token]))
    assert page.status_code == 200
    done = client.post(
        reverse("partners:invitation", args=[token]),
        {"new_password1": "Fahrrad-Brücke-42", "new_password2": "Fahrrad-Brücke-42"},
    )
    assert done.status_code == 302 and done["Location"] == reverse("partners:area")
    assert client.get(reverse("partners:area")).status_code == 200
    # One-time link.
    assert client.get(reverse("partners:invitation", args=[token])).status_code == 410
    assert AuditEntry.objects.filter(action="partners.partner.approve").exists()


def test_invitation_mail_is_sent_on_commit(
    make_partner: Callable[..., Partner], django_capture_on_commit_callbacks: Any
) -> None:
    partner = make_partner(approved=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        link = services.partner_approve(partner=partner, actor=None)
    for callback in callbacks:
        if getattr(callback, "func", None).__name__ == "send_mail":  # type: ignore[union-attr]
            callback()
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body


def test_registration_refuses_a_hostile_logo(client: Client) -> None:
    from .test_logo import SCRIPT_SVG

    response = client.post(
        reverse("partners:register"),
        {
            "name": "Böse GmbH",
            "contact_name": "X",
            "email": "x@example.org",
            "colour_variant": "blau",
            "languages": ["de"],
            "logo": _upload("logo.svg", SCRIPT_SVG),
        },
    )
    assert response.status_code == 200
    assert "Skripte" in response.content.decode()
    assert not Partner.objects.filter(name="Böse GmbH").exists()


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_zip_holds_every_file_the_guide_names(
    make_partner: Callable[..., Partner], django_capture_on_commit_callbacks: Any, client: Client
) -> None:
    partner = make_partner(languages=["de"])
    kit = _generate(partner, django_capture_on_commit_callbacks)
    assert kit.status == PartnerKit.Status.READY
    _login(client, partner)
    response = client.get(reverse("partners:zip"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    names = set(archive.namelist())
    guide = archive.read("LIESMICH.txt").decode()
    named = set(re.findall(r"^(de/\S+\.(?:png|webp|pdf|txt|html))$", guide, re.M))
    assert len(named) == 20 + 4 + 10 + 4
    assert named <= names
    assert names - named == {"LIESMICH.txt"}
    assert "Nutzungsbedingungen" in guide and partner.ref_code in guide
    assert KitDownload.objects.filter(partner=partner, asset="ZIP").count() == 1


def test_same_inputs_render_nothing_new_and_a_change_renders_again(
    make_partner: Callable[..., Partner],
    django_capture_on_commit_callbacks: Any,
) -> None:
    partner = make_partner(languages=["de"])
    kit = _generate(partner, django_capture_on_commit_callbacks)
    first_hash, first_prefix = kit.generated_hash, kit.storage_prefix
    assert kit.renders == 1

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.kit_request(partner=partner)
        services.partner_update_choices(
            partner=partner, actor=None, colour_variant="blau", languages=["de"]
        )
    assert callbacks == []  # nothing enqueued: the hash is unchanged
    services.kit_generate(kit_id=kit.pk)  # a duplicate task is a no-op too
    kit.refresh_from_db()
    assert kit.renders == 1 and kit.generated_hash == first_hash

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.partner_update_choices(
            partner=partner, actor=None, colour_variant="dunkel", languages=["de"]
        )
    assert len(callbacks) == 1
    kit.refresh_from_db()
    assert kit.status == PartnerKit.Status.STALE and kit.input_hash != first_hash
    services.kit_generate(kit_id=kit.pk)
    kit.refresh_from_db()
    assert kit.status == PartnerKit.Status.READY and kit.renders == 2
    assert kit.storage_prefix != first_prefix

    from PIL import Image

    from .conftest import png_bytes

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.partner_set_logo(
            partner=partner, actor=None, data=png_bytes(Image.new("RGB", (300, 100), "green"))
        )
    assert len(callbacks) == 1


def test_downloads_are_logged_and_only_kit_files_are_served(
    make_partner: Callable[..., Partner],
    django_capture_on_commit_callbacks: Any,
    client: Client,
) -> None:
    partner = make_partner(languages=["de"])
    _generate(partner, django_capture_on_commit_callbacks)
    other = make_partner(name="Andere Firma", languages=["de"])
    _login(client, partner)
    path = "de/druck/zm-flyer-a5-de.pdf"
    response = client.get(reverse("partners:download", args=[path]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert KitDownload.objects.filter(partner=partner, asset=path).count() == 1
    preview = client.get(reverse("partners:preview", args=["_preview/de/zm-flyer-a5-de.png"]))
    assert preview.status_code == 200
    assert KitDownload.objects.filter(partner=partner).count() == 1  # previews are not logged
    assert client.get(reverse("partners:download", args=["../../etc/passwd"])).status_code == 404
    page = client.get(reverse("partners:kit")).content.decode()
    assert "Alles als ZIP herunterladen" in page and "zm-banner-300x250-de.png" in page
    client.force_login(other.user)  # type: ignore[arg-type]
    assert selectors.kit_for_partner(partner=other) is not None
    # Another partner cannot reach this partner's files: its own kit is not ready.
    assert client.get(reverse("partners:download", args=[path])).status_code == 404


def test_partner_pages_need_a_partner_account(client: Client, django_user_model: Any) -> None:
    assert client.get(reverse("partners:area"))["Location"].startswith("/partner/login/")
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get(reverse("partners:kit")).status_code == 403


def test_visits_and_stories_are_attributed(
    make_partner: Callable[..., Partner], client: Client
) -> None:
    partner = make_partner()
    for visitor in range(3):  # three visitors (one visit each, however often they reload)
        for _reload in range(2):
            client.get(f"/mitmachen/?ref={partner.ref_code}", HTTP_USER_AGENT=f"browser {visitor}")
    client.get("/mitmachen/?ref=unbekannt-0000")
    assert RefVisit.objects.get(ref_code=partner.ref_code).count == 3
    assert not RefVisit.objects.filter(ref_code="unbekannt-0000").exists()
    for status, submitted in (
        (Story.Status.IN_REVIEW, True),
        (Story.Status.PUBLISHED, True),
        (Story.Status.DRAFT, False),
    ):
        Story.objects.create(
            access_token_hash=f"h{status}",
            status=status,
            partner_ref=partner.ref_code,
            submitted_at="2026-05-01T10:00:00Z" if submitted else None,
            email_confirmed_at="2026-05-01T10:05:00Z" if submitted else None,
        )
    assert selectors.partner_stats(partner=partner) == {"visits": 3, "stories": 2, "published": 1}
    _login(client, partner)
    page = client.get(reverse("partners:area")).content.decode()
    assert f"?ref={partner.ref_code}" in page


def test_public_material_has_no_logo_and_no_ref(
    settings: Any, django_capture_on_commit_callbacks: Any, client: Client
) -> None:
    settings.PARTNER_KIT_PUBLIC_LANGUAGES = ["de"]
    kit = _generate(None, django_capture_on_commit_callbacks)
    assert kit.slot == "public" and kit.status == PartnerKit.Status.READY
    with default_storage.open(f"{kit.storage_prefix}/de/texte/social-media-de.txt") as fh:
        text = fh.read().decode()
    assert "/mitmachen/ " in text and "?ref=" not in text
    assert client.get(reverse("partners:material")).status_code == 200
    assert client.get(reverse("partners:material_zip")).status_code == 200
    banner = client.get(reverse("partners:banner", args=["public", "zm-banner-300x250-de.png"]))
    assert banner.status_code == 200 and banner["Content-Type"] == "image/png"
    assert (
        client.get(reverse("partners:banner", args=["public", "zm-flyer-a5-de.pdf"])).status_code
        == 404
    )


def test_kit_api(
    make_partner: Callable[..., Partner], django_capture_on_commit_callbacks: Any, client: Client
) -> None:
    partner = make_partner(languages=["de"])
    _generate(partner, django_capture_on_commit_callbacks)
    _login(client, partner)
    data = client.get("/api/v1/partners/kit/").json()
    assert data["status"] == "ready" and len(data["files"]) > 30
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post("/api/v1/partners/kit/refresh/").status_code == 202
    assert callbacks == []
