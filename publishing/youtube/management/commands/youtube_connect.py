"""Connect the campaign's YouTube channel without a browser session on this server.

``manage.py youtube_connect`` prints Google's consent URL; open it anywhere, approve, and
paste the URL Google redirected to (or just its ``code``). ``--refresh-token`` stores a
token obtained elsewhere. Either way the credentials are stored encrypted and paused work
resumes.
"""

from __future__ import annotations

import sys
import urllib.parse
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from publishing.youtube import services
from publishing.youtube.api import ReconnectRequired


class Command(BaseCommand):
    help = "Connect the campaign's YouTube channel (OAuth) from the command line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--refresh-token", help="store this refresh token instead")
        parser.add_argument(
            "--redirect-uri",
            default=f"{settings.SITE_URL}/publishing/channel/callback/",
            help="the redirect URI registered for the OAuth client",
        )
        parser.add_argument("--code", help="the authorization code (otherwise read from stdin)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["refresh_token"]:
            channel = services.channel_connect(refresh_token=options["refresh_token"], actor=None)
            self.stdout.write(self.style.SUCCESS(f"Channel connected ({channel.status})."))
            return
        redirect_uri = options["redirect_uri"]
        url, state, verifier = services.channel_authorization_start(redirect_uri=redirect_uri)
        self.stdout.write("Open this URL, sign in with the campaign's channel and approve:")
        self.stdout.write(url)
        answer = options["code"]
        if not answer:
            self.stdout.write("Then paste the URL you were redirected to (or its code):")
            answer = sys.stdin.readline().strip()
        code = _code_from(answer, state=state)
        try:
            channel = services.channel_connect_with_code(
                code=code, code_verifier=verifier, redirect_uri=redirect_uri, actor=None
            )
        except (ReconnectRequired, ValidationError) as error:
            raise CommandError(f"Google refused: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Channel connected ({channel.status})."))


def _code_from(answer: str, *, state: str) -> str:
    """The code from a pasted redirect URL (state checked) or a bare code."""
    if "code=" not in answer:
        if not answer:
            raise CommandError("No code given.")
        return answer
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(answer).query or answer)
    if query.get("state", [state])[0] != state:
        raise CommandError("The pasted URL belongs to another connection attempt.")
    return query["code"][0]
