"""Hole 5: an anonymous visitor cannot tie up the web server with a tiny SVG logo.

The attack: ``<use>`` elements that reference a group of ``<use>`` elements multiply at
every level; a 1.2 KB SVG sent to ``POST /partner/registrieren/`` took 9.8 s inside the web
request, 1.4 KB over 110 s, and registration had no rate limit. Now the document is refused
before anything is drawn, drawing happens in a child process with CPU and memory limits, and
registrations per address are limited.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from publishing.partners.models import Partner
from publishing.partners.rendering import logo_normalise
from publishing.partners.rendering.logo import _render_in_child

pytestmark = pytest.mark.django_db

LIMITS = {"max_bytes": 2 * 1024**2, "max_side": 4000}
REFUSED = "Das SVG-Logo ist zu aufwendig aufgebaut"


def use_bomb(levels: int, fan: int) -> bytes:
    """Level i is a group of ``fan`` <use> of level i-1: fan**levels rectangles to draw."""
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 100 100" width="100" height="100"><defs>',
        '<rect id="l0" width="1" height="1" fill="#0a4"/>',
    ]
    for level in range(1, levels + 1):
        uses = "".join(f'<use xlink:href="#l{level - 1}" x="{j}"/>' for j in range(fan))
        parts.append(f'<g id="l{level}">{uses}</g>')
    parts.append(f'</defs><use xlink:href="#l{levels}"/></svg>')
    return "".join(parts).encode()


def _register(client: Client, logo: bytes | None, *, address: str, name: str) -> Any:
    data: dict[str, Any] = {
        "name": name,
        "contact_name": "X",
        "email": f"{secrets.token_hex(4)}@example.org",
        "colour_variant": "blau",
        "languages": ["de"],
    }
    if logo is not None:
        data["logo"] = SimpleUploadedFile("logo.svg", logo, content_type="image/svg+xml")
    return client.post("/partner/registrieren/", data, REMOTE_ADDR=address)


def _address() -> str:
    return f"10.13.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def test_an_anonymous_use_bomb_is_refused_before_it_is_drawn(client: Client) -> None:
    # 4 levels of 6: small enough that the old code drew it (and stored the partner) in
    # about a second here; the 1.4 KB original (4 levels of 10) ran for minutes.
    bomb = use_bomb(4, 6)
    assert len(bomb) < 1500
    response = _register(client, bomb, address=_address(), name="Bombe GmbH")
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not Partner.objects.filter(name="Bombe GmbH").exists()


@pytest.mark.parametrize(
    ("levels", "fan"),
    [(4, 10), (2, 150), (12, 2)],
    ids=["deep-and-wide", "wide", "deep"],
)
def test_reference_depth_and_expanded_size_are_limited(levels: int, fan: int) -> None:
    with pytest.raises(ValidationError) as info:
        logo_normalise(use_bomb(levels, fan), **LIMITS)
    assert info.value.code == "svg_complex"


def test_reference_cycles_and_too_many_elements_are_refused() -> None:
    cycle = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        b' viewBox="0 0 10 10"><g id="a"><g id="b"><use xlink:href="#a"/></g></g></svg>'
    )
    many = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        + b'<rect width="1" height="1"/>' * 6000
        + b"</svg>"
    )
    for data in (cycle, many):
        with pytest.raises(ValidationError) as info:
            logo_normalise(data, **LIMITS)
        assert info.value.code == "svg_complex"


def test_an_ordinary_svg_with_a_reused_symbol_is_still_accepted(client: Client) -> None:
    # A symbol used twice, a gradient that inherits from another: what design tools export.
    logo = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        b' viewBox="0 0 200 50"><defs><linearGradient id="g"><stop offset="0" stop-color="#c00"/>'
        b'<stop offset="1" stop-color="#600"/></linearGradient>'
        b'<linearGradient id="g2" xlink:href="#g"/>'
        b'<symbol id="s" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="url(#g2)"/></symbol>'
        b'</defs><use xlink:href="#s" width="50" height="50"/>'
        b'<use xlink:href="#s" x="150" width="50" height="50"/>'
        b'<rect x="60" y="20" width="80" height="10" fill="url(#g)"/></svg>'
    )
    response = _register(client, logo, address=_address(), name="Ehrlich e. V.")
    assert response.status_code == 302, response.content.decode()[:2000]
    partner = Partner.objects.get(name="Ehrlich e. V.")
    assert partner.logo_key and partner.logo_sha256


def test_drawing_runs_in_a_child_under_a_cpu_limit() -> None:
    # Past the structural checks on purpose (the bomb goes straight to the child): the
    # CPU limit, not the web process, ends it, and the visitor gets the clear refusal.
    with pytest.raises(ValidationError) as info:
        _render_in_child(use_bomb(5, 10), seconds=1, memory_mb=512)
    assert info.value.code == "svg_complex"


def test_drawing_runs_in_a_child_under_a_memory_limit() -> None:
    big = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" width="20000" height="20000"/>'
    )
    with pytest.raises(ValidationError) as info:
        _render_in_child(big, seconds=10, memory_mb=300)
    assert info.value.code == "svg_complex"


def test_registration_is_rate_limited_per_address(client: Client, settings: Any) -> None:
    settings.PARTNER_REGISTER_RATE = "2/hour"
    address = _address()
    for n in range(2):
        assert _register(client, None, address=address, name=f"Verein {n}").status_code == 302
    limited = _register(client, None, address=address, name="Verein 3")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert "viele Anmeldungen" in limited.content.decode()
    assert not Partner.objects.filter(name="Verein 3").exists()
    assert _register(client, None, address=_address(), name="Verein 4").status_code == 302
