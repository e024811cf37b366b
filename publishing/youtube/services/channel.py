"""Writes for the campaign's YouTube channel: the OAuth connection, its token, the quota ledger.

Connecting (again) resumes everything that was paused; Google refusing the grant pauses
publishing and e-mails the campaign admins.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from google.oauth2.credentials import Credentials

from kernel.roles import Role
from stories.audit import audit_record

from ..api import authorization_url, client_config_for, exchange_code, make_credentials
from ..api.errors import PACIFIC
from ..crypto import decrypt_json, encrypt_json
from ..lifecycle import Actor
from ..models import QuotaLedger, YouTubeChannel
from .queue import publication_enqueue, takedown_enqueue

logger = logging.getLogger(__name__)


def quota_day(now: dt.datetime | None = None) -> dt.date:
    """The YouTube quota day (the date in America/Los_Angeles) of ``now``."""
    return (now or timezone.now()).astimezone(PACIFIC).date()


# --- Channel ------------------------------------------------------------------------------
def channel_get() -> YouTubeChannel | None:
    """The campaign's channel row, if one was ever connected."""
    return YouTubeChannel.objects.order_by("id").first()


def channel_connect(
    *,
    refresh_token: str,
    actor: Actor,
    access_token: str | None = None,
    expiry: dt.datetime | None = None,
    title: str = "",
) -> YouTubeChannel:
    """Store the channel's credentials (encrypted) and resume everything that was paused.

    Raises ValidationError when Google gave no refresh token (offline access refused).
    """
    if not refresh_token:
        raise ValidationError(
            _("Google hat keinen Refresh-Token geliefert. Bitte die Verbindung neu starten.")
        )
    with transaction.atomic():
        channel = YouTubeChannel.objects.select_for_update().order_by("id").first()
        if channel is None:
            channel = YouTubeChannel()
        before = {"status": channel.status}
        channel.credentials_encrypted = encrypt_json(
            {
                "refresh_token": refresh_token,
                "access_token": access_token,
                "expiry": expiry.isoformat() if expiry else None,
            }
        )
        channel.status = YouTubeChannel.Status.CONNECTED
        channel.title = title or channel.title
        channel.connected_at = timezone.now()
        channel.connected_by = actor if actor is not None and actor.is_authenticated else None  # type: ignore[assignment]
        channel.reconnect_reason = ""
        channel.reconnect_required_at = None
        channel.save()
        audit_record(
            action="publishing.channel.connected",
            actor=actor,
            before=before,
            after={"status": channel.status},
        )
        transaction.on_commit(_resume_paused_work)
    return channel


def _resume_paused_work() -> None:
    from .. import selectors

    for publication_id in selectors.publication_ids_to_resume():
        publication_enqueue(publication_id)
    for story_id in selectors.takedown_story_ids_pending():
        takedown_enqueue(story_id)


def _client_config() -> dict[str, Any]:
    return client_config_for(
        client_id=settings.YOUTUBE_CLIENT_ID,
        client_secret=settings.YOUTUBE_CLIENT_SECRET,
        auth_uri=settings.YOUTUBE_AUTH_URI,
        token_uri=settings.YOUTUBE_TOKEN_URI,
    )


def channel_authorization_start(*, redirect_uri: str) -> tuple[str, str, str]:
    """Begin Google's OAuth web flow: (consent URL, state, PKCE verifier).

    Keep state and verifier server-side (the session) and pass them to
    ``channel_connect_with_code`` when Google redirects back.
    """
    state = secrets.token_urlsafe(24)
    url, verifier = authorization_url(
        client_config=_client_config(), redirect_uri=redirect_uri, state=state
    )
    return url, state, verifier


def channel_connect_with_code(
    *, code: str, code_verifier: str, redirect_uri: str, actor: Actor
) -> YouTubeChannel:
    """Finish the OAuth web flow: trade the code for credentials and store them.

    Raises ReconnectRequired when Google refuses the code, ValidationError without a
    refresh token.
    """
    credentials = exchange_code(
        client_config=_client_config(),
        redirect_uri=redirect_uri,
        code=code,
        code_verifier=code_verifier,
    )
    expiry = credentials.expiry.replace(tzinfo=dt.UTC) if credentials.expiry else None
    return channel_connect(
        refresh_token=str(credentials.refresh_token or ""),
        access_token=credentials.token,
        expiry=expiry,
        actor=actor,
    )


def channel_credentials(*, channel: YouTubeChannel) -> Credentials:
    """OAuth credentials for the API client, refreshed by google-auth when they expire.

    Raises crypto.CredentialsUnreadable if the stored secret cannot be decrypted.
    """
    data = decrypt_json(channel.credentials_encrypted)
    credentials = make_credentials(
        refresh_token=data["refresh_token"],
        client_id=settings.YOUTUBE_CLIENT_ID,
        client_secret=settings.YOUTUBE_CLIENT_SECRET,
        token_uri=settings.YOUTUBE_TOKEN_URI,
        access_token=data.get("access_token"),
    )
    if data.get("expiry"):
        # google-auth compares a naive UTC expiry.
        expiry = dt.datetime.fromisoformat(data["expiry"])
        credentials.expiry = expiry.astimezone(dt.UTC).replace(tzinfo=None)
    return credentials


def channel_store_refreshed_token(*, channel_id: int, credentials: Credentials) -> bool:
    """Persist an access token google-auth refreshed during a task; True if it changed."""
    with transaction.atomic():
        channel = YouTubeChannel.objects.select_for_update().filter(pk=channel_id).first()
        if channel is None or channel.status != YouTubeChannel.Status.CONNECTED:
            return False
        data = decrypt_json(channel.credentials_encrypted)
        if data.get("access_token") == credentials.token and data.get("refresh_token") == str(
            credentials.refresh_token or data["refresh_token"]
        ):
            return False
        expiry = credentials.expiry.replace(tzinfo=dt.UTC) if credentials.expiry else None
        channel.credentials_encrypted = encrypt_json(
            {
                "refresh_token": credentials.refresh_token or data["refresh_token"],
                "access_token": credentials.token,
                "expiry": expiry.isoformat() if expiry else None,
            }
        )
        channel.token_refreshed_at = timezone.now()
        channel.save(update_fields=["credentials_encrypted", "token_refreshed_at", "updated_at"])
    return True


def channel_mark_reconnect_required(*, reason: str) -> bool:
    """Google refused the channel's grant: pause publishing and tell the campaign admins.

    Queued work stays where it is and resumes after ``channel_connect``. Returns True when
    the channel was connected until now (the admins are e-mailed only then).
    """
    with transaction.atomic():
        channel = YouTubeChannel.objects.select_for_update().order_by("id").first()
        if channel is None or channel.status != YouTubeChannel.Status.CONNECTED:
            return False
        channel.status = YouTubeChannel.Status.RECONNECT_REQUIRED
        channel.reconnect_reason = reason[:2000]
        channel.reconnect_required_at = timezone.now()
        channel.save()
        audit_record(
            action="publishing.channel.reconnect_required",
            comment=reason[:2000],
            before={"status": YouTubeChannel.Status.CONNECTED},
            after={"status": channel.status},
        )
        transaction.on_commit(_mail_admins_reconnect)
    return True


def campaign_admin_emails() -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    admins = users.filter(Q(is_superuser=True) | Q(groups__name=Role.CAMPAIGN_ADMIN)).distinct()
    return sorted({str(user.email) for user in admins})


def _mail_admins_reconnect() -> None:
    recipients = campaign_admin_emails()
    if not recipients:
        logger.error("the YouTube channel needs reconnecting and no campaign admin has an e-mail")
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("YouTube-Kanal neu verbinden: Veröffentlichungen pausiert")
        body = _(
            "Google hat den Zugriff auf den YouTube-Kanal der Kampagne verweigert "
            "(die Freigabe wurde widerrufen oder ist abgelaufen).\n\n"
            "Veröffentlichungen sind pausiert; nichts geht verloren. Bitte verbinden Sie den "
            "Kanal neu:\n%(url)s\n"
        ) % {"url": f"{settings.SITE_URL}/publishing/channel/"}
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # a mail outage must not hide the reconnect state (the page shows it)
        logger.exception("could not e-mail the campaign admins about the YouTube channel")


# --- Quota --------------------------------------------------------------------------------
def quota_record_call(*, method: str, cost: int, publication_id: int | None = None) -> None:
    """Book one API call YouTube accepted in the ledger of today's (Pacific) quota day."""
    QuotaLedger.objects.create(
        day=quota_day(), method=method, cost=cost, publication_id=publication_id
    )


# What YouTube's own refusal leaves in the ledger: a zero-cost marker row meaning "YouTube
# said the day is spent" (units) or "no more uploads today" (the upload limit).
QUOTA_REFUSED_UNITS = "youtube:quotaExceeded"
QUOTA_REFUSED_UPLOADS = "youtube:uploadLimit"


def quota_note_refusal(error: Any) -> None:
    """YouTube itself refused a call for quota: the day is exhausted until the reset.

    Our ledger may have said there was room (other projects' calls, a console change, a
    wrong estimate); YouTube's answer wins until midnight Pacific. A refusal by our own
    budget (``error.source == "budget"``) changes nothing.
    """
    if getattr(error, "source", "youtube") != "youtube":
        return
    marker = QUOTA_REFUSED_UPLOADS if error.reason == "uploadLimitExceeded" else QUOTA_REFUSED_UNITS
    day = quota_day()
    if not QuotaLedger.objects.filter(day=day, method=marker).exists():
        QuotaLedger.objects.create(day=day, method=marker, cost=0)
