"""Staff screens: a branded sign-in, and navigation offering only what a role may open."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from .factories import make_user

pytestmark = pytest.mark.django_db


def _nav(client: Client, path: str = "/moderation/") -> list[str]:
    import re

    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return re.findall(r'data-nav="([a-z]+)"', page.content.decode())


def test_the_sign_in_is_the_campaigns_not_djangos(client: Client, settings: Any) -> None:
    page = client.get("/moderation/anmelden/")
    text = page.content.decode()
    assert page.status_code == 200
    assert settings.CAMPAIGN_NAME in text and "Anmeldung für das Kampagnenteam" in text
    assert "Django" not in text
    assert 'autocomplete="current-password"' in text


def test_signing_in_there_leads_to_the_workspace(client: Client) -> None:
    User.objects.create_user("mia", password="right-horse-battery-9", is_staff=True)
    response = client.post(
        "/moderation/anmelden/", {"username": "mia", "password": "right-horse-battery-9"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_the_branded_sign_in_is_throttled_like_every_other(client: Client, settings: Any) -> None:
    User.objects.create_user("mia", password="right-horse-battery-9", is_staff=True)
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        wrong = client.post("/moderation/anmelden/", {"username": "mia", "password": "wrong"})
        assert wrong.status_code == 200 and "stimmen nicht" in wrong.content.decode()
    assert (
        client.post("/moderation/anmelden/", {"username": "mia", "password": "x"}).status_code
        == 429
    )
    right = client.post(
        "/moderation/anmelden/", {"username": "mia", "password": "right-horse-battery-9"}
    )
    assert right.status_code == 429 and "_auth_user_id" not in client.session


def test_a_moderator_is_offered_only_the_moderation_pages(client: Client) -> None:
    client.force_login(make_user("moderator"))
    assert _nav(client) == ["queue", "audit", "tokens"]


def test_a_publisher_also_sees_publishing(client: Client) -> None:
    client.force_login(make_user("publisher"))
    links = _nav(client)
    assert "publishing" in links and "pipeline" not in links and "admin" not in links


def test_a_campaign_admin_sees_every_staff_page_and_the_current_one_is_marked(
    client: Client,
) -> None:
    client.force_login(make_user("campaign_admin"))
    assert _nav(client) == ["queue", "audit", "publishing", "pipeline", "tokens", "admin"]
    page = client.get("/betrieb/pipeline/").content.decode()
    assert 'aria-current="page" data-nav="pipeline"' in page
    assert 'class="ws-table' in page  # the pipeline page is styled like the workspace


def test_the_queue_asks_for_live_progress_of_its_running_videos(
    client: Client, moderator: User, partner: User
) -> None:
    from stories.models import StoryMedia

    from .factories import StoryFactory, attach_media

    running = StoryFactory()
    attach_media(running, state=StoryMedia.State.TRANSCODING, progress_percent=37, eta_seconds=20)
    done = StoryFactory()
    attach_media(done)
    client.force_login(moderator)
    page = client.get("/moderation/").content.decode()
    assert f'data-media-progress="{running.pk}"' in page
    assert f'data-media-progress="{done.pk}"' not in page

    answer = client.get("/moderation/fortschritt/", {"ids": f"{running.pk},{done.pk},x"}).json()
    assert answer[str(running.pk)] == {
        "state": "transcoding",
        "label": "Wird umgewandelt",
        "percent": 37,
        "eta_seconds": 20,
    }
    assert answer[str(done.pk)]["state"] == "ready"

    outsider = Client()
    assert outsider.get("/moderation/fortschritt/", {"ids": running.pk}).status_code == 302
    outsider.force_login(partner)
    assert outsider.get("/moderation/fortschritt/", {"ids": running.pk}).status_code == 403
