"""Writes for publishing: the channel connection, publications and their transitions, quota.

Every change of a publication's status goes through ``_transition`` (or a service built on
it): it locks the row, re-checks the state, changes it and writes the audit entry in the same
transaction. Tasks are enqueued by name after commit; the reconciler re-enqueues lost ones.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from google.oauth2.credentials import Credentials

from kernel.errors import ConflictError
from kernel.queue import enqueue
from kernel.roles import Role
from stories.audit import audit_record
from stories.models import Story
from stories.transitions import ENDED, can_transition, story_transition

from .api import (
    authorization_url,
    client_config_for,
    compose_metadata,
    exchange_code,
    make_credentials,
    metadata_problems,
)
from .api.errors import PACIFIC
from .crypto import decrypt_json, encrypt_json
from .models import Playlist, Publication, QuotaLedger, YouTubeChannel

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None
P = Publication.Status
S = Story.Status

# A publication may still be (re)started by the publish task in these states.
ACTIVE = (P.QUEUED, P.WAITING_FOR_QUOTA, P.UPLOADING, P.PROCESSING)
# Before any byte went to YouTube the publisher may still change the metadata.
EDITABLE = (P.QUEUED, P.WAITING_FOR_QUOTA, P.FAILED)
# A story in these states must not be (or stay) on YouTube.
GONE_STORY = tuple(sorted(ENDED))  # the story lifecycle table decides which


class PublicationCancelled(Exception):
    """The worker lost its claim on the publication (taken down or taken over meanwhile)."""


def worker_name() -> str:
    """Who holds an upload: ``host:pid`` of the current process."""
    return f"{socket.gethostname()}:{os.getpid()}"


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
    from . import selectors

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


def _campaign_admin_emails() -> list[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    admins = users.filter(Q(is_superuser=True) | Q(groups__name=Role.CAMPAIGN_ADMIN)).distinct()
    return sorted({str(user.email) for user in admins})


def _mail_admins_reconnect() -> None:
    recipients = _campaign_admin_emails()
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


# --- Metadata -----------------------------------------------------------------------------
def _story_metadata_fields(story: Story) -> dict[str, Any]:
    with translation.override(story.language or settings.LANGUAGE_CODE):
        credit = ""
        if story.credit and story.credit != Story.Credit.ANONYMOUS and story.credit_line:
            credit = _("Erzählt von %(name)s") % {"name": story.credit_line}
        campaign_text = _("%(campaign)s – eine Kampagne von %(alliance)s") % {
            "campaign": settings.CAMPAIGN_NAME,
            "alliance": settings.CAMPAIGN_ALLIANCE,
        }
    region = story.region.name if story.region and not story.region.is_other else ""
    topic = story.topic.name if story.topic else ""
    return {
        "title": story.title or settings.CAMPAIGN_NAME,
        "story_text": story.text,
        "credit": credit,
        "campaign_text": campaign_text,
        "links": [settings.SITE_URL + "/"],
        "hashtags": ["ZusammenMehr", region, topic],
        "tags": [name for name in (settings.CAMPAIGN_NAME, region, topic) if name],
        "language": story.video_language or story.language,
    }


def _privacy(publish_at: dt.datetime | None) -> str:
    # A scheduled publication is uploaded private and switched public by YouTube itself.
    return "private" if publish_at is not None else settings.YOUTUBE_PRIVACY


def publication_compose_metadata(
    *, story: Story, publish_at: dt.datetime | None = None
) -> dict[str, Any]:
    """The ``videos.insert`` body for a story, already fixed to pass YouTube's validation."""
    return compose_metadata(
        **_story_metadata_fields(story), privacy=_privacy(publish_at), publish_at=publish_at
    )


def publication_update_metadata(
    *,
    publication: Publication,
    actor: Actor,
    title: str,
    description: str,
    tags: Iterable[str],
) -> tuple[Publication, list[str]]:
    """The publisher's edit of title, description and tags before the upload starts.

    Returns the publication with the fixed metadata and the sentences ``metadata_problems``
    has about what was changed. Raises ConflictError once the upload has begun and
    ValidationError for what cannot be fixed (an empty title).
    """
    tag_list = [tag.strip() for tag in tags if tag.strip()]
    with transaction.atomic():
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.status not in EDITABLE or locked.session_uri or locked.video_id:
            raise ConflictError(
                _("Die Angaben können nach dem Start des Hochladens nicht mehr geändert werden."),
                extra={"status": locked.status},
            )
        language = str((locked.metadata.get("snippet") or {}).get("defaultLanguage", ""))
        privacy = _privacy(locked.publish_at)
        problems = metadata_problems(
            title=title,
            story_text=description,
            tags=tag_list,
            language=language,
            privacy=privacy,
            publish_at=locked.publish_at,
        )
        try:
            metadata = compose_metadata(
                title=title,
                story_text=description,
                credit="",
                campaign_text="",
                links=[],
                hashtags=[],
                tags=tag_list,
                language=language,
                privacy=privacy,
                publish_at=locked.publish_at,
            )
        except ValueError as error:
            raise ValidationError({"title": [_("YouTube braucht einen Titel.")]}) from error
        before = dict(locked.metadata.get("snippet") or {})
        locked.metadata = metadata
        locked.save(update_fields=["metadata", "updated_at"])
        after = metadata["snippet"]
        audit_record(
            action="publishing.publication.edit_metadata",
            story=locked.story,
            actor=actor,
            before={key: before.get(key) for key in ("title", "description", "tags")},
            after={key: after.get(key) for key in ("title", "description", "tags")},
            comment=" ".join(problems),
        )
    return locked, problems


# --- Publication lifecycle ----------------------------------------------------------------
def _transition(
    *,
    publication_id: int,
    allowed_from: Iterable[str],
    to: str,
    action: str,
    actor: Actor = None,
    comment: str = "",
    changes: dict[str, Any] | None = None,
) -> Publication:
    """Move a publication to ``to`` if it is in one of ``allowed_from``; one audit entry.

    Raises ConflictError (409) when it is in another state meanwhile.
    """
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_id)
        if publication.status not in set(allowed_from):
            raise ConflictError(
                _("Diese Aktion ist im Status „%(status)s“ nicht möglich.")
                % {"status": publication.get_status_display()},
                extra={"status": publication.status},
            )
        before = {"status": publication.status}
        publication.status = to
        for name, value in (changes or {}).items():
            setattr(publication, name, value)
        publication.save()
        audit_record(
            action=action,
            story=publication.story,
            actor=actor,
            comment=comment,
            before=before,
            after={"status": to, **_jsonable(changes or {})},
        )
    return publication


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    keep = ("video_id", "resume_at", "failure_reason", "publish_at", "attempts")
    return {
        key: value.isoformat() if isinstance(value, dt.datetime) else value
        for key, value in changes.items()
        if key in keep
    }


def publication_enqueue(publication_id: int) -> None:
    """Hand the publication to the publish queue (call after commit); never raises."""
    from workers.tasks.publish import enqueue_publication

    try:
        enqueue_publication(publication_id)
    except Exception:  # Redis down: the row says what is pending, the reconciler enqueues it
        logger.exception("could not enqueue publication %s; the reconciler will", publication_id)


def takedown_enqueue(story_id: int) -> None:
    """Hand a takedown to the publish queue (call after commit); never raises.

    If Redis is down, the reconciler finds the takedown_requested row.
    """
    enqueue("workers.tasks.publish.takedown_story", story_id)


def publication_mark_enqueued(*, publication_id: int) -> None:
    """Remember when the publication was last handed to the queue (for the reconciler)."""
    Publication.objects.filter(pk=publication_id).update(enqueued_at=timezone.now())


def publication_request(
    *, story: Story, actor: Actor, publish_at: dt.datetime | None = None
) -> Publication:
    """Queue an approved story for YouTube; the publish task does the rest.

    Asking again for a story already on its way changes nothing and returns its publication;
    a failed publication is queued again. ``publish_at`` schedules the public release (the
    video is uploaded private and YouTube publishes it then). Raises ConflictError when the
    story is not approved (or its video was refused by YouTube) and ValidationError for a
    ``publish_at`` in the past.
    """
    if publish_at is not None and publish_at <= timezone.now():
        raise ValidationError({"publish_at": [_("Der Zeitpunkt liegt in der Vergangenheit.")]})
    with transaction.atomic():
        locked_story = Story.objects.select_for_update().get(pk=story.pk)
        if locked_story.status != S.APPROVED:
            raise ConflictError(
                _("Nur freigegebene Geschichten können veröffentlicht werden."),
                extra={"status": locked_story.status},
            )
        existing = Publication.objects.select_for_update().filter(story=locked_story).first()
        if existing is not None and existing.status != P.FAILED:
            return existing
        if existing is not None:
            if existing.video_id:
                raise ConflictError(
                    _(
                        "YouTube hat das Video abgelehnt. Es muss erst entfernt werden, bevor "
                        "es erneut hochgeladen werden kann."
                    ),
                    extra={"status": existing.status},
                )
            metadata = existing.metadata
            if publish_at != existing.publish_at:
                metadata = publication_compose_metadata(story=locked_story, publish_at=publish_at)
            publication = _transition(
                publication_id=existing.pk,
                allowed_from=[P.FAILED],
                to=P.QUEUED,
                action="publishing.publication.queued",
                actor=actor,
                comment=_("erneut eingereiht"),
                changes={
                    "metadata": metadata,
                    "publish_at": publish_at,
                    "failure_reason": "",
                    "resume_at": None,
                    "enqueued_at": timezone.now(),
                    "requested_by": actor if actor and actor.is_authenticated else None,
                },
            )
        else:
            publication = Publication.objects.create(
                story=locked_story,
                status=P.QUEUED,
                metadata=publication_compose_metadata(story=locked_story, publish_at=publish_at),
                publish_at=publish_at,
                enqueued_at=timezone.now(),
                requested_by=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
            )
            audit_record(
                action="publishing.publication.queued",
                story=locked_story,
                actor=actor,
                after={
                    "status": P.QUEUED,
                    "publish_at": publish_at.isoformat() if publish_at else None,
                },
            )
        transaction.on_commit(partial(publication_enqueue, publication.pk))
    return publication


def _claim_alive(publication: Publication, now: dt.datetime) -> bool:
    """Is the worker process named in the claim still working on it?"""
    host, _sep, pid_text = publication.claimed_by.rpartition(":")
    if host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid():
            return False  # this very process: an earlier run that did not end cleanly
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    heartbeat = publication.claim_heartbeat_at
    return heartbeat is not None and heartbeat > now - dt.timedelta(
        seconds=settings.JOB_STUCK_AFTER
    )


def publication_claim(*, publication_id: int, worker: str) -> Publication | None:
    """Let one worker process work on the publication; None when there is nothing to do.

    Nothing to do: the row is gone, finished, failed, waiting for quota until later, held by
    a live worker, already uploaded with everything attached, or the channel is paused. A
    story that left "approved" meanwhile gets its publication taken down instead.
    """
    now = timezone.now()
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update()
            .select_related("story")
            .filter(pk=publication_id)
            .first()
        )
        if publication is None or publication.status not in ACTIVE:
            return None
        if publication.status == P.PROCESSING and publication.steps_done:
            return None
        if (
            publication.status == P.WAITING_FOR_QUOTA
            and publication.resume_at is not None
            and publication.resume_at > now
        ):
            return None
        held_elsewhere = publication.claimed_by and publication.claimed_by != worker
        if held_elsewhere and _claim_alive(publication, now):
            return None
        channel = channel_get()
        if channel is None or channel.status != YouTubeChannel.Status.CONNECTED:
            return None
        if publication.story.status not in (S.APPROVED, S.PUBLISHED):
            _begin_takedown(
                publication,
                actor=None,
                reason=_("Die Geschichte ist nicht mehr freigegeben (%(status)s).")
                % {"status": publication.story.get_status_display()},
            )
            return None
        before = publication.status
        to = P.PROCESSING if publication.video_id else P.UPLOADING
        resumed = bool(publication.claimed_by) or before in (P.UPLOADING, P.PROCESSING)
        publication.status = to
        publication.claimed_by = worker
        publication.claim_heartbeat_at = now
        publication.attempts += 1
        publication.started_at = publication.started_at or now
        publication.resume_at = None
        publication.save()
        audit_record(
            action="publishing.publication.resumed" if resumed else f"publishing.publication.{to}",
            story=publication.story,
            comment=f"attempt {publication.attempts} by {worker}",
            before={"status": before},
            after={"status": to, "confirmed_offset": publication.confirmed_offset},
        )
    return publication


def publication_save_upload_state(
    *, publication_id: int, worker: str, session_uri: str | None, confirmed_offset: int, total: int
) -> None:
    """Persist the resumable session after every chunk, so a new worker resumes from here.

    Raises PublicationCancelled when this worker no longer holds the upload (a takedown was
    requested, or another worker took over), which stops the upload.
    """
    updated = Publication.objects.filter(
        pk=publication_id, claimed_by=worker, status=P.UPLOADING
    ).update(
        session_uri=session_uri or "",
        confirmed_offset=confirmed_offset,
        total_bytes=total,
        claim_heartbeat_at=timezone.now(),
    )
    if not updated:
        raise PublicationCancelled(f"publication {publication_id} is no longer held by {worker}")


def publication_heartbeat(*, publication_id: int, worker: str) -> None:
    """Prove the claim is alive between calls. Raises PublicationCancelled if it is lost."""
    updated = Publication.objects.filter(
        pk=publication_id, claimed_by=worker, status__in=[P.UPLOADING, P.PROCESSING]
    ).update(claim_heartbeat_at=timezone.now())
    if not updated:
        raise PublicationCancelled(f"publication {publication_id} is no longer held by {worker}")


def publication_uploaded(*, publication_id: int, worker: str, video_id: str) -> Publication:
    """YouTube has the whole file: remember the video id, move on to processing.

    If a takedown was requested during the last chunk the id is still kept (so the takedown
    can remove the video) and the takedown is enqueued again.
    """
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_id)
        if publication.video_id and publication.video_id != video_id:
            raise ConflictError(f"publication {publication_id} already has a video")
        if publication.status == P.TAKEDOWN_REQUESTED:
            publication.video_id = video_id
            publication.uploaded_at = timezone.now()
            publication.save()
            audit_record(
                action="publishing.publication.uploaded",
                story=publication.story,
                comment="uploaded while a takedown was requested",
                after={"video_id": video_id},
            )
            transaction.on_commit(partial(takedown_enqueue, publication.story_id))
            return publication
        if publication.status != P.UPLOADING or publication.claimed_by != worker:
            raise PublicationCancelled(f"publication {publication_id} is no longer held")
    return _transition(
        publication_id=publication_id,
        allowed_from=[P.UPLOADING],
        to=P.PROCESSING,
        action="publishing.publication.uploaded",
        changes={
            "video_id": video_id,
            "uploaded_at": timezone.now(),
            "confirmed_offset": publication.total_bytes,
            "last_error": "",
        },
    )


def publication_note_extra(
    *,
    publication_id: int,
    thumbnail_set: bool | None = None,
    captions_set: bool | None = None,
    playlist_id: str | None = None,
    forget_playlist_id: str | None = None,
    extras_done: bool | None = None,
    note: str = "",
) -> None:
    """Record that a thumbnail, caption track or playlist entry is in place (not a transition)."""
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_id)
        if thumbnail_set is not None:
            publication.thumbnail_set = thumbnail_set
        if captions_set is not None:
            publication.captions_set = captions_set
        if forget_playlist_id and forget_playlist_id != playlist_id:
            publication.playlists = [p for p in publication.playlists if p != forget_playlist_id]
        if playlist_id and playlist_id not in publication.playlists:
            publication.playlists = [*publication.playlists, playlist_id]
        if extras_done is not None:
            publication.extras_done = extras_done
        if note:
            publication.last_error = note[:4000]
        publication.claim_heartbeat_at = timezone.now()
        publication.save()


def publication_release(*, publication_id: int, worker: str, error: str = "") -> None:
    """The worker stops working on the publication (it ends, or will retry later)."""
    fields: dict[str, Any] = {"claimed_by": ""}
    if error:
        fields["last_error"] = error[:4000]
    Publication.objects.filter(pk=publication_id, claimed_by=worker).update(**fields)


def publication_wait_for_quota(
    *, publication_id: int, resume_at: dt.datetime, reason: str
) -> Publication | None:
    """YouTube's daily quota is used up: wait until ``resume_at`` (midnight Pacific)."""
    publication = Publication.objects.filter(pk=publication_id).first()
    if publication is None:
        return None
    if publication.status == P.TAKEDOWN_REQUESTED:
        Publication.objects.filter(pk=publication_id).update(
            resume_at=resume_at, last_error=reason, claimed_by=""
        )
        return publication
    return _transition(
        publication_id=publication_id,
        allowed_from=[P.QUEUED, P.UPLOADING, P.PROCESSING, P.WAITING_FOR_QUOTA],
        to=P.WAITING_FOR_QUOTA,
        action="publishing.publication.waiting_for_quota",
        comment=reason,
        changes={"resume_at": resume_at, "last_error": reason, "claimed_by": ""},
    )


def publication_pause(*, publication_id: int, reason: str) -> None:
    """The channel must be reconnected: let go of the publication, keeping everything.

    An upload in progress goes back to "queued" with its session, so it resumes from the
    confirmed offset after the reconnection.
    """
    with transaction.atomic():
        publication = Publication.objects.select_for_update().filter(pk=publication_id).first()
        if publication is None:
            return
        if publication.status == P.UPLOADING:
            _transition(
                publication_id=publication_id,
                allowed_from=[P.UPLOADING],
                to=P.QUEUED,
                action="publishing.publication.paused",
                comment=reason,
                changes={"claimed_by": "", "last_error": reason},
            )
        else:
            Publication.objects.filter(pk=publication_id).update(claimed_by="", last_error=reason)


def publication_fail(*, publication_id: int, reason: str, technical: str = "") -> Publication:
    """YouTube refused the publication in a way a person must act on; ``reason`` says how."""
    return _transition(
        publication_id=publication_id,
        allowed_from=[P.QUEUED, P.WAITING_FOR_QUOTA, P.UPLOADING, P.PROCESSING],
        to=P.FAILED,
        action="publishing.publication.failed",
        comment=reason,
        changes={
            "failure_reason": reason,
            "last_error": (technical or reason)[:4000],
            "failed_at": timezone.now(),
            "claimed_by": "",
        },
    )


def publication_poll_recorded(*, publication_id: int) -> int:
    """Count one processing poll; returns the number of polls so far."""
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_id)
        publication.polls += 1
        publication.last_polled_at = timezone.now()
        publication.save(update_fields=["polls", "last_polled_at", "updated_at"])
    return publication.polls


def publication_published(*, publication_id: int) -> Publication:
    """YouTube finished processing: the publication and its story are published.

    A story withdrawn or taken down meanwhile gets its video taken down instead.
    """
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update().select_related("story").get(pk=publication_id)
        )
        story = Story.objects.select_for_update().get(pk=publication.story_id)
        if story.status not in (S.APPROVED, S.PUBLISHED):
            _begin_takedown(
                publication,
                actor=None,
                reason=_("Die Geschichte ist nicht mehr freigegeben (%(status)s).")
                % {"status": story.get_status_display()},
            )
            return publication
        published = _transition(
            publication_id=publication_id,
            allowed_from=[P.PROCESSING],
            to=P.PUBLISHED,
            action="publishing.publication.published",
            changes={
                "published_at": timezone.now(),
                "claimed_by": "",
                "last_error": "",
                # What YouTube plays: the privacy we uploaded with (the reconciliation
                # replaces it with what YouTube says later).
                "youtube_privacy": str(
                    (publication.metadata.get("status") or {}).get("privacyStatus", "private")
                ),
                "youtube_checked_at": timezone.now(),
            },
        )
        if can_transition(story, S.PUBLISHED):
            story_transition(
                story_id=story.pk,
                to=S.PUBLISHED,
                action="publishing.story.published",
                actor_fallback="system",
                comment=f"https://www.youtube.com/watch?v={published.video_id}",
            )
    return published


def playlist_remember(*, kind: str, key: str, title: str, youtube_id: str) -> Playlist:
    """Remember a playlist created on the channel for a region or topic."""
    playlist, _created = Playlist.objects.update_or_create(
        kind=kind, key=key, defaults={"title": title, "youtube_id": youtube_id}
    )
    return playlist


def playlist_forget(*, youtube_id: str) -> None:
    """A remembered playlist no longer exists on YouTube (deleted by hand)."""
    Playlist.objects.filter(youtube_id=youtube_id).delete()


# --- Takedown -----------------------------------------------------------------------------
def _begin_takedown(publication: Publication, *, actor: Actor, reason: str) -> bool:
    """Inside a transaction holding the row: mark it takedown_requested; True if it changed."""
    if publication.status in (P.TAKEDOWN_REQUESTED, P.TAKEN_DOWN):
        return False
    _transition(
        publication_id=publication.pk,
        allowed_from=[s for s in P.values if s not in (P.TAKEDOWN_REQUESTED, P.TAKEN_DOWN)],
        to=P.TAKEDOWN_REQUESTED,
        action="publishing.publication.takedown_requested",
        actor=actor,
        comment=reason,
        changes={
            "takedown_reason": reason,
            "takedown_requested_at": timezone.now(),
            "resume_at": None,
            "enqueued_at": timezone.now(),
        },
    )
    transaction.on_commit(partial(takedown_enqueue, publication.story_id))
    return True


def publication_takedown_request(*, story: Story, actor: Actor, reason: str) -> Publication | None:
    """A moderator (or the submitter's withdrawal) takes the story's video off YouTube.

    Returns None, after recording that nothing was published, when the story never had a
    publication. The takedown task makes the video private or deletes it
    (``YOUTUBE_TAKEDOWN_MODE``) and retries until YouTube confirmed it.
    """
    with transaction.atomic():
        publication = Publication.objects.select_for_update().filter(story_id=story.pk).first()
        if publication is None:
            audit_record(
                action="publishing.publication.takedown_nothing",
                story=story,
                actor=actor,
                comment=reason or _("Nichts wurde auf YouTube veröffentlicht."),
            )
            return None
        _begin_takedown(publication, actor=actor, reason=reason)
        publication.refresh_from_db()
    return publication


def publication_takedown_begin(*, story_id: int, reason: str) -> Publication | None:
    """The takedown task's entry: the publication to take down, or None when nothing is left.

    Records "nothing was published" for a story without a publication.
    """
    with transaction.atomic():
        publication = Publication.objects.select_for_update().filter(story_id=story_id).first()
        if publication is None:
            story = Story.objects.filter(pk=story_id).first()
            if (
                story is not None
                and not story.audit_entries.filter(
                    action="publishing.publication.takedown_nothing"
                ).exists()
            ):
                audit_record(
                    action="publishing.publication.takedown_nothing",
                    story=story,
                    comment=_("Nichts wurde auf YouTube veröffentlicht."),
                )
            return None
        if publication.status == P.TAKEN_DOWN:
            return None
        if publication.status != P.TAKEDOWN_REQUESTED:
            story = Story.objects.get(pk=story_id)
            if story.status not in GONE_STORY:
                return None  # published and wanted: a stray message changes nothing
            Publication.objects.filter(pk=publication.pk).update(enqueued_at=timezone.now())
            _transition(
                publication_id=publication.pk,
                allowed_from=[publication.status],
                to=P.TAKEDOWN_REQUESTED,
                action="publishing.publication.takedown_requested",
                comment=reason,
                changes={"takedown_reason": reason, "takedown_requested_at": timezone.now()},
            )
        publication.refresh_from_db()
    return publication


def publication_set_video(*, publication_id: int, video_id: str) -> None:
    """The takedown found the video of an upload that completed unrecorded (crash)."""
    Publication.objects.filter(pk=publication_id, video_id="").update(video_id=video_id)


def publication_taken_down(*, publication_id: int, comment: str) -> Publication:
    """YouTube confirmed the takedown (or there was nothing on YouTube to take down)."""
    return _transition(
        publication_id=publication_id,
        allowed_from=[P.TAKEDOWN_REQUESTED],
        to=P.TAKEN_DOWN,
        action="publishing.publication.taken_down",
        comment=comment,
        changes={"taken_down_at": timezone.now(), "resume_at": None, "claimed_by": ""},
    )


def publication_takedown_wait(*, publication_id: int, resume_at: dt.datetime, reason: str) -> None:
    """The takedown has to wait for the quota; it stays requested."""
    Publication.objects.filter(pk=publication_id, status=P.TAKEDOWN_REQUESTED).update(
        resume_at=resume_at, last_error=reason[:4000]
    )
