"""``is_campaign_admin``: the one answer to "is this user a campaign admin?"."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User

from kernel.roles import is_campaign_admin
from tests.moderation.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_campaign_admin_group_and_superusers_count() -> None:
    assert is_campaign_admin(make_user("campaign_admin"))
    assert is_campaign_admin(User.objects.create_superuser("root", "root@example.org", "pw"))


@pytest.mark.parametrize("role", ["moderator", "publisher", "partner", None])
def test_other_roles_do_not(role: str | None) -> None:
    assert not is_campaign_admin(make_user(role))


def test_anonymous_visitors_never_do() -> None:
    assert not is_campaign_admin(AnonymousUser())
    assert not is_campaign_admin(AnonymousUser(), even_if_inactive=True)


def test_an_inactive_admin_acts_as_none_but_still_is_one() -> None:
    admin = make_user("campaign_admin")
    admin.is_active = False
    admin.save()
    assert not is_campaign_admin(admin)
    assert is_campaign_admin(admin, even_if_inactive=True)
