"""Schema-driven fuzzing of the API on a live server: no 500s, every response as documented.

schemathesis generates requests from ``/api/schema/`` for every operation (bounded examples,
fixed seed) and checks each response: not a server error, a documented status code, the
documented content type and body. The tus upload endpoints speak a header protocol that
OpenAPI cannot describe faithfully; ``test_upload_fuzzing.py`` fuzzes them over raw HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from moderation.models import IntegrationToken
from tests.moderation.factories import StoryFactory, attach_media, grant_consents, make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def fuzz_data(seeded: None) -> dict[str, Any]:
    """A moderator's token and a few real stories, so generated ids sometimes hit rows."""
    from stories.models import Story

    moderator = make_user("moderator")
    _token, key = IntegrationToken.objects.create(user=moderator, name="fuzz", can_write=True)
    stories = []
    for status in (Story.Status.IN_REVIEW, Story.Status.APPROVED, Story.Status.CHANGES_REQUESTED):
        story = StoryFactory(status=status)
        attach_media(story)
        grant_consents(story)
        stories.append(story.pk)
    return {"token": key, "story_ids": stories}


MAX_EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}


def _fuzz_operation(operation: Any, mode: GenerationMode, fuzz_data: dict[str, Any]) -> list[str]:
    """Run one operation's examples; returns readable failures (curl to reproduce)."""
    failures: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES[mode],
        deadline=None,
        derandomize=True,  # the same examples every run: a failure reproduces
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: Any) -> None:
        # Half of the generated story ids point at real stories, so the fuzzer reaches the
        # state checks behind the 404s too.
        story_id = (case.path_parameters or {}).get("story_id")
        if isinstance(story_id, int) and story_id % 2 == 0:
            ids = fuzz_data["story_ids"]
            case.path_parameters["story_id"] = ids[story_id % len(ids)]
        headers = {}
        if "Authorization" not in (case.headers or {}):
            headers["Authorization"] = f"Token {fuzz_data['token']}"
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - reported below
            if not failures:  # the first is enough; the others are usually the same
                failures.append(f"{operation.label} [{mode.value}]: {str(error)[:1500]}")

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        assert mode is GenerationMode.NEGATIVE, operation.label
    return failures


def test_api_conforms_to_its_schema(live_server: Any, fuzz_data: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/").exclude(
        path_regex=r"^/api/v1/uploads/"
    )
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _fuzz_operation(operation, mode, fuzz_data)
    assert operations >= 30
    assert not failures, "\n\n".join(failures)
