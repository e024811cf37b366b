"""Demo data for ``make run``: synthetic accounts (and, as features land, stories).

Idempotent: running it again changes nothing and prints no passwords, because each
password is generated once and shown only when its account is created.

The demo enqueues media and kit jobs; ``--wait-for-broker`` (what ``make run`` uses) waits
until the broker answers, so nothing is queued into a broker that is still starting and the
jobs run at once instead of when the reconciler finds them stuck.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from kombu.exceptions import OperationalError

from kernel.roles import Role

# Synthetic stories waiting in the moderation queue (text only, no video), tagged so that a
# second run recognises them: (title, region slug, topic slug, language, has a minor, days).
DEMO_REF = "demo"
DEMO_STORIES = [
    ("Vom Praktikum zur Meisterin", "celle", "arbeit-und-ausbildung", "de", False, 6),
    ("Unser Chor singt in fünf Sprachen", "gottingen", None, "ar", False, 4),
    ("Mit dem Fahrrad zur Berufsschule", "region-hannover", None, "fa", True, 2),
    ("Die erste eigene Wohnung", "luneburg", None, "uk", False, 1),
    ("Trainer im Fußballverein", "emsland", None, "tr", False, 0),
]
DEMO_TEXT = (
    "Eine erfundene Beispielgeschichte für die Demo: {title}. Sie zeigt, wie die "
    "Moderation eine Einreichung prüft, bearbeitet und entscheidet."
)

DEMO_ACCOUNTS = [
    ("moderator", Role.MODERATOR, "Mia Moderation", False),
    ("moderator2", Role.MODERATOR, "Max Moderation", False),
    ("publisher", Role.PUBLISHER, "Paul Publikation", False),
    ("admin", Role.CAMPAIGN_ADMIN, "Ada Kampagne", True),
    ("partner", Role.PARTNER, "Pia Partner", False),
]


class Command(BaseCommand):
    help = "Load synthetic demo data: accounts for every role. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait-for-broker",
            type=float,
            default=0,
            metavar="SECONDS",
            help="Wait up to SECONDS for the Celery broker to answer before loading anything.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["wait_for_broker"]:
            self._wait_for_broker(options["wait_for_broker"])
        self._load()

    def _wait_for_broker(self, limit: float) -> None:
        """Return once the broker accepts a connection; CommandError after ``limit`` seconds."""
        from celery import current_app as app

        deadline = time.monotonic() + limit
        while True:
            try:
                with app.connection_for_write() as connection:
                    connection.ensure_connection(max_retries=1, timeout=2)
                return
            except (OperationalError, OSError) as exc:
                if time.monotonic() > deadline:
                    message = f"The broker did not answer within {limit:g} s: {exc}"
                    raise CommandError(message) from exc
                time.sleep(0.2)

    @transaction.atomic
    def _load(self) -> None:
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

        stories = self._demo_stories()
        self._demo_youtube_channel()
        self._demo_partner()

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
        if stories:
            self.stdout.write(f"{stories} demo stories are waiting at /moderation/.")

    def _demo_stories(self) -> int:
        """A handful of synthetic stories in review; none when they exist already."""
        from datetime import timedelta

        from django.utils import timezone

        from stories.models import Region, Story, Topic
        from stories.services import REQUIRED_CONSENTS, consent_record
        from stories.tokens import new_token, token_hash

        if Story.objects.filter(partner_ref=DEMO_REF).exists():
            return 0
        topics = list(Topic.objects.filter(is_active=True))
        now = timezone.now()
        for index, (title, region, topic, language, minor, days) in enumerate(DEMO_STORIES):
            story = Story.objects.create(
                access_token_hash=token_hash(new_token()),
                status=Story.Status.IN_REVIEW,
                title=title,
                text=DEMO_TEXT.format(title=title),
                region=Region.objects.filter(slug=region).first(),
                topic=Topic.objects.filter(slug=topic).first()
                if topic
                else (topics[index % len(topics)] if topics else None),
                language=language,
                video_language=language,
                submitter_name="Demo Person",
                submitter_email=f"demo{index}@demo.invalid",
                submitter_role=Story.SubmitterRole.SUPPORTER,
                credit=Story.Credit.FIRST_NAME,
                has_minor=minor,
                guardian_name="Demo Guardian" if minor else "",
                guardian_email="guardian@demo.invalid" if minor else "",
                partner_ref=DEMO_REF,
                submitted_at=now - timedelta(days=days, hours=2),
                email_confirmed_at=now - timedelta(days=days, hours=1),
                status_changed_at=now - timedelta(days=days, hours=1),
            )
            for purpose in REQUIRED_CONSENTS:
                consent_record(story=story, purpose=purpose, granted=True, language="de")
            self._demo_video(story, index)
        return len(DEMO_STORIES)

    def _demo_video(self, story: Any, index: int) -> None:
        """A generated clip for the story, queued for the real media pipeline."""
        import shutil
        import tempfile
        from datetime import timedelta
        from functools import partial
        from pathlib import Path

        from django.core.files import File
        from django.core.files.storage import default_storage
        from django.utils import timezone

        from stories.models import StoryMedia
        from stories.services import media_enqueue
        from stories.uploads.models import Upload
        from workers.media.samples import make_clip

        if not shutil.which("ffmpeg"):
            return
        portrait = index % 2 == 1
        with tempfile.TemporaryDirectory() as tmp:
            clip = make_clip(
                Path(tmp) / "demo.mp4",
                width=360 if portrait else 640,
                height=640 if portrait else 360,
                duration_s=4,
            )
            upload = Upload.objects.create(
                owner_key=str(story.public_id),
                length=clip.stat().st_size,
                offset=clip.stat().st_size,
                state=Upload.State.COMPLETED,
                metadata={"filename": f"demo-{index}.mp4"},
                sniffed_type="video/mp4",
                expires_at=timezone.now() + timedelta(hours=24),
                completed_at=timezone.now(),
                storage_key="pending",
            )
            with clip.open("rb") as fh:
                key = default_storage.save(f"uploads/{upload.pk}/original", File(fh))
            Upload.objects.filter(pk=upload.pk).update(storage_key=key)
        media = StoryMedia.objects.create(story=story, upload=upload, enqueued_at=timezone.now())
        transaction.on_commit(partial(media_enqueue, media.pk))

    def _demo_partner(self) -> None:
        """The demo partner account gets an approved organisation with a generated logo."""
        import io

        from PIL import Image, ImageDraw

        from publishing.partners import services as partners
        from publishing.partners.models import Partner

        user = User.objects.filter(username="partner").first()
        if user is None or Partner.objects.filter(user=user).exists():
            return
        logo = Image.new("RGB", (480, 160), "#1f6f43")
        ImageDraw.Draw(logo).text((24, 60), "Demo-Verein e.V.", fill="white", font_size=40)
        buffer = io.BytesIO()
        logo.save(buffer, "PNG")
        partner = partners.partner_register(
            name="Demo-Verein e.V.",
            contact_name="Pia Partner",
            email="partner@demo.invalid",
            website="https://example.org",
            logo=buffer.getvalue(),
            languages=["de", "ar"],
        )
        partner.user = user
        partner.save(update_fields=["user"])
        partners.partner_approve(partner=partner, actor=None)
        self.stdout.write(f"Demo partner organisation: {partner.name} (ref {partner.ref_code}).")

    def _demo_youtube_channel(self) -> None:
        """Connect the YouTube stand-in as the campaign's channel; never a real one."""
        from urllib.parse import urlsplit

        from publishing.youtube import services as publishing

        if urlsplit(settings.YOUTUBE_API_URL).hostname not in ("127.0.0.1", "localhost", "::1"):
            return
        if publishing.channel_get() is not None:
            return
        publishing.channel_connect(
            refresh_token="1//standin-demo",  # noqa: S106 - the stand-in accepts any token
            actor=None,
            title="ZUSAMMEN. MEHR. (stand-in)",
        )
        self.stdout.write("The YouTube stand-in is connected as the campaign's channel.")
