"""Issue 13, hole 12: the story API skipped the form's limits.

Observed: 35 of 35 ``POST /api/v1/stories/`` answered 201 while the form answered 429 after
30, and the submit API had no limit at all. Every entry point now counts through the one
limiter in ``stories/abuse.py``, under the same key for the same client address.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.test import Client

from stories.models import Region, Story, Topic

pytestmark = pytest.mark.django_db


def _form_story_fields() -> dict[str, str]:
    module = importlib.import_module("stories.migrations.0002_seed_regions_topics_consents")
    if not Region.objects.exists():
        module.seed(django_apps, None)
    return {
        "title": "Gemeinsam stark",
        "text": "Seit zwei Jahren trainieren wir zusammen im Sportverein von Peine.",
        "region_id": str(Region.objects.get(slug="peine").pk),
        "topic_id": str(Topic.objects.get(slug="ehrenamt-und-sport").pk),
    }


def test_the_draft_api_is_limited_like_the_form(settings: Any, client_ip: str) -> None:
    settings.FORM_DRAFT_RATE = "5/hour"
    api = Client(REMOTE_ADDR=client_ip)
    answers = [api.post("/api/v1/stories/", {}, content_type="application/json") for _ in range(8)]
    assert [a.status_code for a in answers] == [201] * 5 + [429] * 3
    refused = answers[-1]
    body = refused.json()
    assert set(body) == {"message", "extra"} and "Bitte versuchen Sie es in" in body["message"]
    assert int(refused["Retry-After"]) > 0
    assert Story.objects.count() == 5
    # Another address still gets its own allowance.
    other = Client(REMOTE_ADDR="192.0.2.201")
    assert other.post("/api/v1/stories/", {}, content_type="application/json").status_code == 201


def test_form_and_api_share_one_allowance(settings: Any, client_ip: str) -> None:
    settings.FORM_DRAFT_RATE = "3/hour"
    fields = _form_story_fields()
    for _ in range(3):
        assert Client(REMOTE_ADDR=client_ip).post("/mitmachen/", fields).status_code == 302
    api = Client(REMOTE_ADDR=client_ip)
    assert api.post("/api/v1/stories/", {}, content_type="application/json").status_code == 429


def test_the_submit_api_is_limited_like_the_form(settings: Any, client_ip: str) -> None:
    settings.FORM_SUBMIT_RATE = "2/hour"
    api = Client(REMOTE_ADDR=client_ip)
    token = api.post("/api/v1/stories/", {}, content_type="application/json").json()["token"]
    headers = {"HTTP_AUTHORIZATION": f"Story {token}"}
    answers = [
        api.post(
            "/api/v1/stories/mine/submit/",
            {"consents": []},
            content_type="application/json",
            **headers,
        )
        for _ in range(4)
    ]
    # The first two are counted and refused for the incomplete draft, then the limit holds.
    assert [a.status_code for a in answers][2:] == [429, 429]
    assert all(a.status_code != 429 for a in answers[:2])
    assert answers[-1].json()["extra"] == {}
    assert Story.objects.get().status == Story.Status.DRAFT
