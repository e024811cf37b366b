"""Demo data for ``make run``: synthetic accounts (and, as features land, stories).

Idempotent: running it again changes nothing and prints no passwords, because each
password is generated once and shown only when its account is created.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from moderation.roles import Role

DEMO_ACCOUNTS = [
    ("moderator", Role.MODERATOR, "Mia Moderation", False),
    ("publisher", Role.PUBLISHER, "Paul Publikation", False),
    ("admin", Role.CAMPAIGN_ADMIN, "Ada Kampagne", True),
    ("partner", Role.PARTNER, "Pia Partner", False),
]


class Command(BaseCommand):
    help = "Load synthetic demo data: accounts for every role. Safe to run again."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        created: list[tuple[str, str, str]] = []
        for username, role, full_name, is_superuser in DEMO_ACCOUNTS:
            group, _ = Group.objects.get_or_create(name=role.value)
            if User.objects.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(12)
            first, last = full_name.split(" ", 1)
            user = User.objects.create_user(
                username=username,
                password=password,
                email=f"{username}@demo.invalid",
                first_name=first,
                last_name=last,
                is_staff=role != Role.PARTNER,
                is_superuser=is_superuser,
            )
            user.groups.add(group)
            created.append((username, role.value, password))

        if created:
            lines = [f"  {u:<10} {r:<15} {p}" for u, r, p in created]
            notice = "\n".join(
                [
                    "Demo accounts (shown once, also saved to var/demo-logins.txt):",
                    "  user       role            password",
                    *lines,
                ]
            )
            self.stdout.write(self.style.WARNING(notice))
            path = settings.VAR_DIR / "demo-logins.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a") as fh:
                fh.write(notice + "\n")
            path.chmod(0o600)
        else:
            self.stdout.write("Demo accounts exist already (passwords: var/demo-logins.txt).")
