"""Hole 1: with 2FA required, a password-only staff session reaches no staff endpoint.

The attack (issue 13): a publisher signed in with the password only, 2FA required, changed
a YouTube title through ``PUT /api/v1/publishing/publications/<id>/metadata/`` because the
middleware guarded a list of path prefixes. The walk below requests every URL pattern of the
URLconf (converters filled with dummy values) as a password-only superuser, with GET, POST
and PUT, and requires the 2FA redirect (pages) or the 2FA 403 (API) from every pattern that is
not in ``EXPECTED_EXEMPT`` — so an endpoint added later is checked without anyone listing it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from publishing.youtube.models import Publication
from tests.moderation.factories import StoryFactory, make_user

TWO_FACTOR_MESSAGE = "Bitte bestätigen Sie zuerst Ihren zweiten Faktor."

# Reviewed by hand: each of these is a sign-in/out view, a 2FA page or part of the public site.
EXPECTED_EXEMPT = frozenset(
    {
        "admin:login",
        "admin:logout",
        "moderation:login",
        "moderation:logout",
        "moderation:two_factor",
        "moderation:enrol",
        "partners:login",
        "partners:logout",
        "healthz",
        "readyz",
        "metrics",
        "set_language",
        "stories:home",
        "legal:home",
        "stories:language",
        "stories:confirm",
        "stories:status",
        "stories:status_progress",
        "stories:guardian",
        "form:story",
        "form:video",
        "form:video_state",
        "form:people",
        "form:check",
        "form:thanks",
        "form:easy_language",
        "gallery:index",
        "gallery:feed",
        "gallery:feed_atom",
        "gallery:story",
        "gallery:poster",
        "legal:imprint",
        "legal:privacy",
        "legal:accessibility",
        "legal:easy_language",
        "legal:sitemap",
        "partners:register",
        "partners:registered",
        "partners:invitation",
        "partners:banner",
        "api:campaign",
        "api:story-create",
        "api:story-detail",
        "api:story-video",
        "api:story-photos",
        "api:story-photo-delete",
        "api:story-subtitles",
        "api:story-submit",
        "api:story-withdraw",
        "api:uploads:collection",
        "api:uploads:detail",
        "api:uploads:status",
        "schema",
        "api-docs",
    }
)

DUMMY = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": str(uuid.UUID(int=1))}
REGEX_CANDIDATES = ("1", "auth", "x")


def _fill_regex(regex: str) -> str:
    """Replace each named group of an admin-style regex by a value that matches it."""
    regex = regex.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    out, i = "", 0
    while (start := regex.find("(?P<", i)) != -1:
        out += regex[i:start]
        depth, j = 0, start
        while True:
            depth += {"(": 1, ")": -1}.get(regex[j], 0)
            j += 1
            if depth == 0:
                break
        body = regex[regex.index(">", start) + 1 : j - 1]
        out += next(c for c in REGEX_CANDIDATES if re.fullmatch(body, c))
        i = j
    return (out + regex[i:]).replace("\\", "")


def _fill(pattern: Any) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(
            r"<(?:(\w+):)?\w+>", lambda m: DUMMY[m.group(1) or "str"], str(pattern._route)
        )
    assert isinstance(pattern, RegexPattern), pattern
    return _fill_regex(pattern._regex)


def _walk(resolver: URLResolver, prefix: str = "", ns: tuple[str, ...] = ()) -> Iterator[Any]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (*ns, entry.namespace) if entry.namespace else ns
            yield from _walk(entry, prefix + _fill(entry.pattern), inner)
        else:
            assert isinstance(entry, URLPattern)
            name = ":".join((*ns, entry.name)) if entry.name else None
            yield "/" + prefix + _fill(entry.pattern), name, entry


def endpoints() -> list[tuple[str, str | None, Any]]:
    return list(_walk(get_resolver()))


def _guarded(response: Any, path: str) -> bool:
    if path.startswith("/api/"):
        return (
            response.status_code == 403
            and response["Content-Type"] == "application/json"
            and response.json()["message"] == TWO_FACTOR_MESSAGE
        )
    return response.status_code == 302 and response["Location"].startswith("/moderation/2fa/")


@pytest.fixture
def password_only(db: None, settings: Any) -> Client:
    settings.MODERATION_REQUIRE_2FA = True
    root = User.objects.create_superuser("root", "root@example.org", "pw")
    client = Client()
    client.force_login(root)  # signed in with the password; no OTP device verified
    return client


def test_the_walk_reaches_the_whole_urlconf() -> None:
    found = endpoints()
    names = {name for _, name, _ in found}
    assert len(found) > 150
    assert {"api:publishing-quota", "api:publishing-publication-metadata", "admin:index"} <= names
    for path, name, entry in found:  # each filled path resolves to its own pattern
        if name:
            assert resolve(path.split("?")[0]).view_name == name or entry.pattern.regex, path


def test_no_staff_endpoint_answers_a_password_only_staff_session(password_only: Client) -> None:
    open_endpoints = []
    for path, name, _entry in endpoints():
        if name in EXPECTED_EXEMPT:
            continue
        for method in ("get", "post", "put"):
            response = getattr(password_only, method)(path)
            if not _guarded(response, path):
                open_endpoints.append(f"{method.upper()} {path} ({name}): {response.status_code}")
                break
    assert not open_endpoints, "\n".join(open_endpoints)


def test_every_exemption_is_in_the_reviewed_list() -> None:
    from moderation.middleware import EXEMPT_URL_NAMES, view_is_exempt

    assert EXEMPT_URL_NAMES <= EXPECTED_EXEMPT
    exempt = {name for _, name, entry in endpoints() if view_is_exempt(entry.callback, name)}
    unexpected = exempt - EXPECTED_EXEMPT
    assert not unexpected, f"exempt from the second factor but not reviewed: {unexpected}"
    assert None not in exempt  # an exempt view must have a name to be listed


def test_a_password_only_publisher_cannot_change_a_youtube_title(db: None, settings: Any) -> None:
    settings.MODERATION_REQUIRE_2FA = True
    publisher = make_user("publisher")
    story = StoryFactory()
    publication = Publication.objects.create(
        story=story, metadata={"snippet": {"title": "Der echte Titel", "description": "d"}}
    )
    client = Client()
    client.force_login(publisher)
    base = "/api/v1/publishing"
    assert client.get(f"{base}/quota/").status_code == 403
    assert client.get(f"{base}/publications/").status_code == 403
    response = client.put(
        f"{base}/publications/{publication.pk}/metadata/",
        data={"title": "Gefälscht", "description": "x", "tags": []},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json() == {"message": TWO_FACTOR_MESSAGE, "extra": {}}
    publication.refresh_from_db()
    assert publication.metadata["snippet"]["title"] == "Der echte Titel"
    assert client.get("/publishing/")["Location"].startswith("/moderation/2fa/")


def test_a_public_page_stays_open_to_a_password_only_staff_session(
    password_only: Client,
) -> None:
    assert password_only.get("/geschichten/").status_code == 200
    assert password_only.get("/moderation/2fa/").status_code == 200
