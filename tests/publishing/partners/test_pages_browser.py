"""The partner area, kit page and public material page in Chromium, checked with axe-core."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction

from publishing.partners.models import PartnerKit
from tests.conftest import axe_violations
from tests.support.services import CeleryWorker, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def _ready(slot: str) -> bool:
    kit = PartnerKit.objects.filter(slot=slot).first()
    return kit is not None and kit.status == "ready"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page whose context lets axe-core's script in past the site's Content-Security-Policy
    (the pages themselves still run under it)."""
    context = browser.new_context(
        locale="de-DE", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_partner_pages_and_material_pass_axe(
    page: Any,
    live_server: Any,
    celery_worker: CeleryWorker,
    settings: Any,
    make_partner: Callable[..., Any],
    artifacts: Any,
) -> None:
    settings.PARTNER_KIT_PUBLIC_LANGUAGES = ["de"]
    with transaction.atomic():
        partner = make_partner(languages=["ar"])
    partner.user.set_password("Fahrrad-Brücke-42")
    partner.user.save()

    # Public material: the visit asks for the kit; the worker renders it (all six languages
    # would be the default; the worker reads its own settings, so we wait for any result).
    page.goto(f"{live_server.url}/partner/material/")
    wait_for(
        lambda: _ready("public") and _ready(f"p{partner.pk}"),
        timeout=120,
        what="kits to be ready\n" + celery_worker.log_tail(),
    )
    page.goto(f"{live_server.url}/partner/material/")
    assert page.locator("img.kit-preview").count() > 5
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / "page-material.png"), full_page=False)

    page.goto(f"{live_server.url}/partner/login/")
    page.fill("#id_username", partner.user.username)
    page.fill("#id_password", "Fahrrad-Brücke-42")
    page.click(".partner-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/partner/")
    assert partner.ref_code in page.content()
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / "page-partner-area.png"), full_page=True)

    page.goto(f"{live_server.url}/partner/kit/")
    assert page.locator("img.kit-preview").count() > 5
    assert axe_violations(page) == []

    # The same pages in Arabic, right to left.
    page.goto(f"{live_server.url}/partner/")
    page.select_option("#lang-select", "ar")
    page.click(".lang-form button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert axe_violations(page) == []
