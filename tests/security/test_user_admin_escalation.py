"""Hole 2: a campaign admin cannot make themselves (or anyone) superuser, staff or grant groups.

The attack (issue 13): a non-superuser in ``campaign_admin`` (which holds ``auth.change_user``)
POSTed ``/admin/auth/user/<own id>/change/`` with ``is_superuser=on`` and became superuser.
Each test POSTs the whole change form as a browser would, plus the privilege fields.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client

from tests.moderation.factories import make_user


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _change_form(user: User, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": "Neu",
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "last_login_0": "2026-01-01",
        "last_login_1": "10:00:00",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    data.update(extra)
    return data


def _escalation(user: User) -> dict[str, Any]:
    return {
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [g.pk for g in Group.objects.all()],
        "user_permissions": list(Permission.objects.values_list("pk", flat=True)[:50]),
        "roles": ["campaign_admin"],
    }


@pytest.fixture
def campaign_admin(db: None) -> User:
    return make_user("campaign_admin", "ada")


def test_a_campaign_admin_cannot_make_themselves_superuser(campaign_admin: User) -> None:
    client = _client(campaign_admin)
    url = f"/admin/auth/user/{campaign_admin.pk}/change/"
    client.post(url, _change_form(campaign_admin, **_escalation(campaign_admin)))
    campaign_admin.refresh_from_db()
    assert not campaign_admin.is_superuser
    assert not campaign_admin.user_permissions.exists()
    assert set(campaign_admin.groups.values_list("name", flat=True)) == {"campaign_admin"}
    assert not campaign_admin.has_perm("auth.delete_user")
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
    assert 'name="user_permissions"' not in page.content.decode()


def test_a_campaign_admin_cannot_grant_privileges_to_another_user(campaign_admin: User) -> None:
    other = make_user(None, "olli")
    client = _client(campaign_admin)
    client.post(f"/admin/auth/user/{other.pk}/change/", _change_form(other, **_escalation(other)))
    other.refresh_from_db()
    assert not other.is_superuser and not other.is_staff
    assert not other.groups.exists() and not other.user_permissions.exists()


def test_a_campaign_admin_cannot_take_over_a_superuser(campaign_admin: User) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "root-pw")
    client = _client(campaign_admin)
    change = client.post(
        f"/admin/auth/user/{root.pk}/change/", _change_form(root, email="ada@evil.invalid")
    )
    password = client.post(
        f"/admin/auth/user/{root.pk}/password/",
        {"password1": "Taken-over-1234", "password2": "Taken-over-1234", "usable_password": "true"},
    )
    assert change.status_code in (302, 403) and password.status_code == 403
    root.refresh_from_db()
    assert root.email == "root@example.org" and root.check_password("root-pw")


def test_a_campaign_admin_assigns_the_products_roles(campaign_admin: User) -> None:
    newcomer = make_user(None, "nora")
    client = _client(campaign_admin)
    response = client.post(
        f"/admin/auth/user/{newcomer.pk}/change/",
        _change_form(newcomer, roles=["moderator", "publisher"]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    newcomer.refresh_from_db()
    assert set(newcomer.groups.values_list("name", flat=True)) == {"moderator", "publisher"}
    assert newcomer.is_staff and not newcomer.is_superuser
    client.post(f"/admin/auth/user/{newcomer.pk}/change/", _change_form(newcomer, roles=[]))
    newcomer.refresh_from_db()
    assert not newcomer.groups.exists() and not newcomer.is_staff


def test_a_superuser_still_grants_superuser(db: None) -> None:
    root = User.objects.create_superuser("root", "root@example.org", "pw")
    other = make_user(None, "olli")
    response = _client(root).post(
        f"/admin/auth/user/{other.pk}/change/",
        _change_form(other, is_superuser="on", is_staff="on"),
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.is_superuser and other.is_staff


def test_the_campaign_admin_group_holds_no_permission_over_groups_or_permissions(
    db: None,
) -> None:
    codes = set(
        Group.objects.get(name="campaign_admin").permissions.values_list("codename", flat=True)
    )
    assert not {c for c in codes if c.endswith(("_group", "_permission")) and c != "view_group"}
    assert "delete_user" not in codes
