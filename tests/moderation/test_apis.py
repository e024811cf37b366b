"""The moderation API: the permission matrix (role × action), 409s, the schema."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from moderation.models import Claim, IntegrationToken
from moderation.services import CHECKLIST
from stories.models import AuditEntry, Story

from .factories import StoryFactory, attach_media, make_user

pytestmark = pytest.mark.django_db
S = Story.Status


def _someone_holds(story: Story, user: User) -> None:
    Claim.objects.create(
        story=story, holder=make_user("moderator"), expires_at=timezone.now() + timedelta(minutes=9)
    )


def _actor_holds(story: Story, user: User) -> None:
    if user.is_authenticated:
        Claim.objects.create(
            story=story, holder=user, expires_at=timezone.now() + timedelta(minutes=9)
        )


def _approved(story: Story, user: User) -> None:
    Story.objects.filter(pk=story.pk).update(status=S.APPROVED)


# action -> (url suffix, body, set-up that makes the action legal for ``user``)
ACTIONS: dict[str, tuple[str, dict[str, Any], Callable[[Story, User], None] | None]] = {
    "claim": ("claim", {}, None),
    "release": ("release", {}, _actor_holds),
    "takeover": ("takeover", {}, _someone_holds),
    "edit": ("", {"title": "Neuer Titel"}, None),
    "note": ("notes", {"text": "intern"}, None),
    "assign": ("assign", {"assignee": None}, None),
    "rerun_media": ("rerun-media", {}, None),
    "approve": ("approve", {"checklist": list(CHECKLIST)}, None),
    "reject": ("reject", {"reason": "spam"}, None),
    "request_changes": ("request-changes", {"message": "Bitte kürzer"}, None),
    "publish": ("publish", {}, _approved),
    "takedown": ("takedown", {"reason": "Gefährdung"}, _approved),
}
ALLOWED = {
    "moderator": set(ACTIONS) - {"publish", "takedown", "takeover"},
    "publisher": set(ACTIONS),
    "campaign_admin": set(),
    "partner": set(),
    None: set(),
}


def _client_for(role: str | None) -> tuple[Client, Any]:
    client = Client()
    if role is None:
        from django.contrib.auth.models import AnonymousUser

        return client, AnonymousUser()
    user = make_user(role)
    client.force_login(user)
    return client, user


def _call(client: Client, story: Story, action: str) -> Any:
    suffix, body, _setup = ACTIONS[action]
    url = f"/api/v1/moderation/stories/{story.pk}/{suffix + '/' if suffix else ''}"
    if action == "edit":
        return client.patch(url, body, content_type="application/json")
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize("role", list(ALLOWED), ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_matrix(role: str | None, action: str) -> None:
    story = StoryFactory()
    attach_media(story)
    client, user = _client_for(role)
    setup = ACTIONS[action][2]
    if setup is not None:
        setup(story, user)
    response = _call(client, story, action)
    if action in ALLOWED[role]:
        assert response.status_code == 200, response.json()
        assert response.json()["id"] == story.pk
    else:
        assert response.status_code == 403, response.content
        assert set(response.json()) == {"message", "extra"}


@pytest.mark.parametrize("role", ["moderator", "publisher", "campaign_admin"])
def test_staff_roles_read_the_queue_others_do_not(role: str) -> None:
    StoryFactory()
    client, _user = _client_for(role)
    assert client.get("/api/v1/moderation/stories/").status_code == 200
    for other in ("partner", None):
        other_client, _ = _client_for(other)
        assert other_client.get("/api/v1/moderation/stories/").status_code == 403


def test_illegal_transition_is_409_in_the_one_error_shape(moderator: User) -> None:
    story = StoryFactory(status=S.REJECTED)
    client = Client()
    client.force_login(moderator)
    response = _call(client, story, "approve")
    assert response.status_code == 409
    body = response.json()
    assert "nicht möglich" in body["message"] and body["extra"]["status"] == "rejected"


def test_token_auth_and_the_whole_api_flow(moderator: User, moderator2: User) -> None:
    story = StoryFactory()
    _token, key = IntegrationToken.objects.create(user=moderator, name="ci", can_write=True)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    queue = client.get("/api/v1/moderation/stories/", {"q": story.title[:20]}).json()
    assert [item["id"] for item in queue["results"]] == [story.pk]

    detail = client.post(f"/api/v1/moderation/stories/{story.pk}/claim/").json()
    assert detail["claim"]["holder"] == "mia"
    assert "approve" in detail["actions"]

    other = Client()
    other.force_login(moderator2)
    blocked = _call(other, story, "reject")
    assert blocked.status_code == 409
    assert "mia bearbeitet diese Geschichte gerade" in blocked.json()["message"]

    response = client.patch(
        f"/api/v1/moderation/stories/{story.pk}/",
        {"youtube_tags": ["Celle", "Handwerk"], "youtube_title": "Meisterin"},
        content_type="application/json",
    )
    assert response.json()["youtube"] == {
        "title": "Meisterin",
        "description": "",
        "tags": ["Celle", "Handwerk"],
    }
    bad = client.post(
        f"/api/v1/moderation/stories/{story.pk}/approve/",
        {"checklist": ["consents_complete"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    done = client.post(
        f"/api/v1/moderation/stories/{story.pk}/approve/",
        {"checklist": list(CHECKLIST)},
        content_type="application/json",
    )
    assert done.json()["status"] == "approved"
    again = client.post(
        f"/api/v1/moderation/stories/{story.pk}/approve/",
        {"checklist": list(CHECKLIST)},
        content_type="application/json",
    )
    assert again.status_code == 409

    audit = client.get(f"/api/v1/moderation/stories/{story.pk}/audit/").json()
    assert [e["action"] for e in audit][-3:] == [
        "moderation.claim.take",
        "moderation.story.edit",
        "moderation.story.approve",
    ]
    log = client.get("/api/v1/moderation/audit/", {"actor": "mia"}).json()
    assert log["count"] == AuditEntry.objects.filter(actor_label="mia").count()


def test_bulk_endpoints(moderator: User, moderator2: User) -> None:
    stories = [StoryFactory(), StoryFactory()]
    client = Client()
    client.force_login(moderator)
    ids = [s.pk for s in stories]
    response = client.post(
        "/api/v1/moderation/bulk/assign/",
        {"stories": ids, "assignee": moderator2.pk},
        content_type="application/json",
    )
    assert response.json() == {"done": ids, "refused": {}}
    mine = Client()
    mine.force_login(moderator2)
    assigned = mine.get("/api/v1/moderation/stories/", {"mine": "assigned"}).json()
    assert sorted(i["id"] for i in assigned["results"]) == sorted(ids)
    response = client.post(
        "/api/v1/moderation/bulk/reject-spam/", {"stories": ids}, content_type="application/json"
    )
    assert response.json()["done"] == ids
    partner = Client()
    partner.force_login(make_user("partner"))
    response = partner.post(
        "/api/v1/moderation/bulk/reject-spam/", {"stories": ids}, content_type="application/json"
    )
    assert response.status_code == 403


def test_missing_story_is_404(moderator: User) -> None:
    client = Client()
    client.force_login(moderator)
    assert client.get("/api/v1/moderation/stories/999999/").status_code == 404
    assert client.post("/api/v1/moderation/stories/999999/claim/").status_code == 404


def test_every_moderation_endpoint_is_in_the_schema(moderator: User) -> None:
    client = Client()
    client.force_login(moderator)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    import json

    import yaml

    text = response.content.decode()
    schema = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/moderation/")]
    expected = {
        "stories/",
        "stories/counts/",
        "stories/{story_id}/",
        "stories/{story_id}/approve/",
        "stories/{story_id}/reject/",
        "stories/{story_id}/request-changes/",
        "stories/{story_id}/takedown/",
        "stories/{story_id}/publish/",
        "stories/{story_id}/claim/",
        "stories/{story_id}/notes/",
        "bulk/reject-spam/",
        "audit/",
    }
    assert expected <= {p.removeprefix("/api/v1/moderation/") for p in paths}
