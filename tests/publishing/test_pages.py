"""Publisher pages and the channel connection (OAuth web flow and command) over HTTP."""

from __future__ import annotations

import io
import re
import urllib.parse
from typing import Any

import pytest
import requests
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from publishing.youtube import services
from publishing.youtube.crypto import decrypt_json
from publishing.youtube.models import Publication, YouTubeChannel
from stories.models import AuditEntry
from tests.publishing.youtube.conftest import Standin

from .conftest import make_approved_story

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def standin_settings(settings: Any, youtube_standin: Standin) -> Standin:
    settings.YOUTUBE_API_URL = youtube_standin.url
    settings.YOUTUBE_TOKEN_URI = youtube_standin.url + "token"
    settings.YOUTUBE_AUTH_URI = youtube_standin.url + "o/oauth2/auth"
    youtube_standin.faults()
    return youtube_standin


def _follow_consent(url: str) -> str:
    """The stand-in's consent page approves at once and redirects back with a code."""
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return str(answer.headers["Location"])


def test_a_campaign_admin_connects_the_channel_through_the_web_flow(
    client: Client, admin_user: User, standin_settings: Standin
) -> None:
    client.force_login(admin_user)
    page = client.get("/publishing/channel/")
    assert page.status_code == 200
    assert b'data-channel-status="disconnected"' in page.content

    start = client.post("/publishing/channel/connect/")
    assert start.status_code == 302
    consent = urllib.parse.urlsplit(start["Location"])
    query = urllib.parse.parse_qs(consent.query)
    assert start["Location"].startswith(standin_settings.url + "o/oauth2/auth")
    assert query["code_challenge_method"] == ["S256"]  # PKCE; the verifier stays server-side
    assert query["access_type"] == ["offline"]

    back = urllib.parse.urlsplit(_follow_consent(start["Location"]))
    assert back.path == "/publishing/channel/callback/"
    done = client.get(back.path + "?" + back.query, follow=True)
    assert "Der YouTube-Kanal ist verbunden." in done.content.decode()
    channel = YouTubeChannel.objects.get()
    assert channel.status == YouTubeChannel.Status.CONNECTED
    assert channel.connected_by == admin_user
    assert "standin" not in channel.credentials_encrypted  # encrypted at rest
    assert decrypt_json(channel.credentials_encrypted)["refresh_token"].startswith("1//standin-")
    assert AuditEntry.objects.filter(action="publishing.channel.connected").exists()

    # A replayed callback (state already used) is refused.
    again = client.get(back.path + "?" + back.query, follow=True)
    assert "abgelaufen" in again.content.decode()


def test_the_callback_refuses_a_foreign_state(
    client: Client, admin_user: User, standin_settings: Standin
) -> None:
    client.force_login(admin_user)
    start = client.post("/publishing/channel/connect/")
    back = urllib.parse.urlsplit(_follow_consent(start["Location"]))
    forged = re.sub(r"state=[^&]+", "state=forged", back.query)
    client.get(back.path + "?" + forged)
    assert not YouTubeChannel.objects.exists()


def test_the_command_connects_a_headless_installation(standin_settings: Standin) -> None:
    out = io.StringIO()
    call_command("youtube_connect", "--refresh-token", "1//standin-headless", stdout=out)
    channel = YouTubeChannel.objects.get()
    assert decrypt_json(channel.credentials_encrypted)["refresh_token"] == "1//standin-headless"

    # The interactive way: print the URL, read the redirect URL back.
    printed = io.StringIO()

    class Stdin(io.StringIO):
        def readline(self, *args: Any) -> str:
            url = next(line for line in printed.getvalue().splitlines() if "auth?" in line)
            return _follow_consent(url) + "\n"

    import sys

    real = sys.stdin
    sys.stdin = Stdin()
    try:
        call_command("youtube_connect", stdout=printed)
    finally:
        sys.stdin = real
    channel.refresh_from_db()
    token = decrypt_json(channel.credentials_encrypted)["refresh_token"]
    assert token.startswith("1//standin-") and token != "1//standin-headless"
    assert "Channel connected" in printed.getvalue()


def test_pages_are_for_publishers_and_admins_only(client: Client, publisher_user: User) -> None:
    assert client.get("/publishing/").status_code == 302  # to the login
    outsider = User.objects.create_user(username="someone", password="x")
    client.force_login(outsider)
    assert client.get("/publishing/").status_code == 403
    client.force_login(publisher_user)
    assert client.get("/publishing/").status_code == 200
    assert client.get("/publishing/channel/").status_code == 403  # campaign admins only


def test_the_dashboard_shows_quota_and_expected_dates(client: Client, publisher_user: User) -> None:
    services.channel_connect(refresh_token="1//x", actor=None)
    # 6,400 of 10,000 used; one whole publication (up to 2,256 units) fits in the rest.
    for _ in range(4):
        services.quota_record_call(method="videos.insert", cost=1600)
    stories = [make_approved_story() for _ in range(3)]
    for story in stories:
        Publication.objects.create(
            story=story,
            metadata=services.publication_compose_metadata(story=story),
        )
    client.force_login(publisher_user)
    page = client.get("/publishing/").content.decode()
    assert "6400 von 10000 Einheiten verbraucht." in page
    assert "Heute passt noch 1 Veröffentlichung." in page
    dates = re.findall(r'<time datetime="(\d{4}-\d{2}-\d{2})">', page)
    assert len(dates) == 3
    # One fits today, the others tomorrow. Shown in Berlin time those are different dates in
    # the afternoon of today's quota day, not in the night (the next Pacific quota day begins
    # at 09:00 in Berlin), so the dates are asked for at noon Pacific of the same quota day.
    import datetime as dt

    from publishing.youtube.api.errors import PACIFIC
    from publishing.youtube.selectors import publication_queue

    noon = dt.datetime.combine(services.quota_day(), dt.time(12, 0), tzinfo=PACIFIC)
    expected = [row.expected_on for row in publication_queue(now=noon)]
    assert expected[0] < expected[1] == expected[2]


def test_a_publisher_edits_the_metadata_and_sees_what_youtube_would_refuse(
    client: Client, publisher_user: User
) -> None:
    story = make_approved_story()
    publication = Publication.objects.create(
        story=story, metadata=services.publication_compose_metadata(story=story)
    )
    client.force_login(publisher_user)
    url = f"/publishing/publications/{publication.pk}/"
    assert client.get(url).status_code == 200
    answer = client.post(
        url,
        {
            "action": "edit_metadata",
            "title": "Ein sehr langer Titel " * 8,
            "description": "Mehr als <genug>",
            "tags": "Integration, Celle",
        },
    )
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "YouTube allows 100" in page
    assert "contains &lt; or &gt;" in page
    publication.refresh_from_db()
    assert len(publication.title) <= 100
    assert publication.metadata["snippet"]["tags"] == ["Integration", "Celle"]
    # Once the upload started, the form is gone and a forged post is refused.
    Publication.objects.filter(pk=publication.pk).update(session_uri="http://x/upload?id=1")
    assert b'name="title"' not in client.get(url).content
    assert client.post(url, {"action": "edit_metadata", "title": "x"}).status_code == 403


def test_the_api_lists_the_queue_and_edits_metadata(client: Client, publisher_user: User) -> None:
    story = make_approved_story()
    publication = Publication.objects.create(
        story=story, metadata=services.publication_compose_metadata(story=story)
    )
    assert client.get("/api/v1/publishing/quota/").status_code == 403
    client.force_login(publisher_user)
    quota = client.get("/api/v1/publishing/quota/").json()
    assert quota["daily_units"] == 10_000 and quota["publications_left"] == 4  # 10,000 // 2,256
    queue = client.get("/api/v1/publishing/publications/").json()
    assert [row["publication"]["id"] for row in queue] == [publication.pk]
    answer = client.put(
        f"/api/v1/publishing/publications/{publication.pk}/metadata/",
        {"title": "Titel mit <Klammern>", "description": "Text", "tags": ["Celle"]},
        content_type="application/json",
    )
    assert answer.status_code == 200
    body = answer.json()
    assert "<" not in body["publication"]["title"] and body["problems"]
    Publication.objects.filter(pk=publication.pk).update(status=Publication.Status.PUBLISHED)
    conflict = client.put(
        f"/api/v1/publishing/publications/{publication.pk}/metadata/",
        {"title": "Neu", "description": "", "tags": []},
        content_type="application/json",
    )
    assert conflict.status_code == 409 and conflict.json()["message"]


def test_expected_dates_are_the_campaigns_not_pacific(publisher_user: User) -> None:
    """At 07:30 in Berlin on 4 December it is still 3 December in California."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from publishing.youtube.selectors import publication_queue

    services.channel_connect(refresh_token="1//x", actor=None)
    story = make_approved_story()
    Publication.objects.create(
        story=story, metadata=services.publication_compose_metadata(story=story)
    )
    morning = dt.datetime(2026, 12, 4, 7, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    [row] = publication_queue(now=morning)
    assert row.expected_on == dt.date(2026, 12, 4)
