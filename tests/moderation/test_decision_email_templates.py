"""Campaign admins word the decision e-mails themselves, per language."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.test import Client

from moderation.models import DecisionEmailTemplate
from moderation.notifications import decision_email_send
from stories.models import Story
from stories.services import story_create_draft, story_transition
from tests.stories.lifecycle import story_move_to

pytestmark = pytest.mark.django_db


def _approved_story(language: str) -> Story:
    story, _token = story_create_draft(language=language)
    Story.objects.filter(pk=story.pk).update(
        title="Нова робота", submitter_name="Олена", submitter_email="olena@example.org"
    )
    story_move_to(story, "in_review")
    return story_transition(
        story_id=story.pk, allowed_from=["in_review"], to="approved", action="t"
    )


def test_an_admin_template_replaces_the_built_in_wording(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    story = _approved_story("uk")
    DecisionEmailTemplate.objects.create(
        decision="approved",
        language="uk",
        subject="Схвалено: {title}",
        body="Вітаємо, {name}! Статус: {status_url} {unknown}",
    )
    assert decision_email_send(story_id=story.pk, decision="approved")
    message = mail.outbox[-1]
    assert message.subject == "Схвалено: Нова робота"
    assert message.body.startswith("Вітаємо, Олена! Статус: http")
    assert "{unknown}" in message.body  # only the documented placeholders are filled


def test_without_a_template_the_translated_built_in_text_is_used(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DecisionEmailTemplate.objects.create(decision="approved", language="de", subject="x", body="y")
    story = _approved_story("tr")
    assert decision_email_send(story_id=story.pk, decision="approved")
    subject = mail.outbox[-1].subject
    assert subject != "x" and subject.endswith("ZUSAMMEN. MEHR.")  # the translated built-in


def test_campaign_admins_may_edit_templates(client: Client) -> None:
    user = User.objects.create_user("ada", password="x-long-password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="campaign_admin"))
    client.force_login(user)
    assert client.get("/admin/moderation/decisionemailtemplate/add/").status_code == 200
    moderator = User.objects.create_user("mia", password="x-long-password-2", is_staff=True)
    moderator.groups.add(Group.objects.get(name="moderator"))
    client.force_login(moderator)
    assert client.get("/admin/moderation/decisionemailtemplate/add/").status_code == 403
