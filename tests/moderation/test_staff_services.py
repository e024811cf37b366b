"""Account management: who may change whose account."""

from __future__ import annotations

import pytest

from moderation.staff_services import user_may_manage

from .factories import make_user

pytestmark = pytest.mark.django_db


def test_a_campaign_admin_may_not_take_over_another_one_even_a_deactivated_one() -> None:
    actor = make_user("campaign_admin")
    other = make_user("campaign_admin")
    assert not user_may_manage(actor, other)
    other.is_active = False
    other.save()
    assert not user_may_manage(actor, other)  # else: reactivate with a password of one's own
    assert user_may_manage(actor, actor)
    assert user_may_manage(actor, make_user("moderator"))
