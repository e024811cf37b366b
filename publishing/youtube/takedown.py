"""Taking a story's video off YouTube, privacy first, with every step's outcome on the row.

Order: the first call makes the video unreachable (``videos.update`` to private, or
``videos.delete`` when the takedown mode or an erasure says so). Nothing is asked of YouTube
before it, so a refused playlist call, a deleted playlist or a spent quota for the clean-up can
never keep a withdrawn video public. Playlist clean-up follows; its failures are recorded and
retried on their own, they do not hold the takedown back.

Every outcome is appended to ``Publication.takedown_steps`` (``{"step", "outcome", "kind",
"detail", "at"}``), so the publication page, the dashboard and the pipeline page can say which
step failed and why. ``takedown_reached_at`` is set when YouTube confirmed the video private or
gone; a takedown that has not reached YouTube within ``ALERT_AFTER`` e-mails the campaign admins
(``alert_overdue``, run by beat).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from googleapiclient.discovery import Resource

from stories.models import Story

from .api import (
    QuotaExhausted,
    ReconnectRequired,
    YouTubeApiError,
    YouTubeError,
    make_unreachable,
    remove_from_playlist,
)
from .messages import takedown_outcome_text
from .models import Publication

logger = logging.getLogger(__name__)

P = Publication.Status
VIDEO_STEP = "video"
PLAYLIST_STEP = "playlist:"
MAX_STEPS_KEPT = 60
ALERT_AFTER = dt.timedelta(minutes=15)
# Retries of one takedown run: 15 s, 30 s, 1 min ... capped at 5 min, then the reconciler
# starts a new run after JOB_STUCK_AFTER. The alert e-mail goes out after ALERT_AFTER anyway.
MAX_RETRIES = 8
RETRY_BASE_SECONDS = 15.0
RETRY_CAP_SECONDS = 300.0

Mode = Literal["private", "delete"]
Record = Callable[[str, int], None]


def takedown_mode(publication: Publication) -> Mode:
    """Delete when the person was erased (Art. 17 GDPR) or ``YOUTUBE_TAKEDOWN_MODE`` says so."""
    if (
        publication.story.status == Story.Status.ERASED
        or settings.YOUTUBE_TAKEDOWN_MODE == "delete"
    ):
        return "delete"
    return "private"


def error_kind(error: BaseException) -> str:
    """A short word for who refused and how: quota_youtube, quota_budget, reconnect, ..."""
    if isinstance(error, QuotaExhausted):
        return "quota_budget" if error.source == "budget" else "quota_youtube"
    if isinstance(error, ReconnectRequired):
        return "reconnect"
    if isinstance(error, YouTubeApiError):
        return "refused"
    return "transient"


def step_record(
    *,
    publication_id: int,
    step: str,
    outcome: str,
    kind: str = "",
    detail: str = "",
    removed: int | None = None,
) -> None:
    """Append one step outcome to the publication's takedown log (not a status transition).

    ``detail`` is technical; ``step_line`` puts the entry in the reader's words.
    """
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication_id)
        entry: dict[str, Any] = {
            "step": step,
            "outcome": outcome,
            "kind": kind,
            "detail": detail[:500],
            "at": timezone.now().isoformat(),
        }
        if removed is not None:
            entry["removed"] = removed
        publication.takedown_steps = [*publication.takedown_steps, entry][-MAX_STEPS_KEPT:]
        fields = ["takedown_steps", "updated_at"]
        if outcome == "failed":
            publication.last_error = f"takedown {step}: {detail}"[:4000]
            fields.append("last_error")
        if step == VIDEO_STEP and outcome in ("private", "deleted", "gone"):
            publication.takedown_reached_at = publication.takedown_reached_at or timezone.now()
            publication.youtube_privacy = "private" if outcome == "private" else "deleted"
            fields += ["takedown_reached_at", "youtube_privacy"]
        if step == VIDEO_STEP:
            publication.takedown_attempts += 1
            fields.append("takedown_attempts")
        publication.save(update_fields=fields)


def step_states(publication: Publication) -> dict[str, dict[str, Any]]:
    """The latest entry of each takedown step, in the order the steps first appeared."""
    latest: dict[str, dict[str, Any]] = {}
    for entry in publication.takedown_steps or []:
        latest[str(entry.get("step"))] = entry
    return latest


def failing_steps(publication: Publication) -> list[dict[str, Any]]:
    """Steps whose latest outcome is a failure, each with ``message`` for people."""
    return [
        {**entry, "message": step_message(entry)}
        for entry in step_states(publication).values()
        if entry.get("outcome") == "failed"
    ]


def step_message(entry: dict[str, Any]) -> str:
    """What a failed step means for a publisher, in words, with the next step."""
    video = entry.get("step") == VIDEO_STEP
    kind = entry.get("kind")
    if kind == "quota_youtube":
        text = _(
            "YouTube hat den Aufruf abgelehnt: Das Tageskontingent ist verbraucht. "
            "Es wird nach Mitternacht (Pazifikzeit) erneut versucht."
        )
    elif kind == "quota_budget":
        text = _(
            "Unser eigenes Tagesbudget ist verbraucht; YouTube wurde nicht gefragt. "
            "Es wird nach Mitternacht (Pazifikzeit) erneut versucht."
        )
    elif kind == "reconnect":
        text = _(
            "Google verweigert den Zugriff auf den Kanal. Bitte verbinden Sie den "
            "YouTube-Kanal neu; danach geht es automatisch weiter."
        )
    elif kind == "refused":
        text = _("YouTube hat den Aufruf abgelehnt (%(detail)s).") % {
            "detail": entry.get("detail", "")
        }
    else:
        text = _("YouTube oder das Netz war nicht erreichbar; es wird erneut versucht.")
    if video:
        return _(
            "Das Video ist noch nicht privat oder gelöscht. %(reason)s Bis dahin können Sie "
            "es in YouTube Studio von Hand auf „Privat“ stellen."
        ) % {"reason": text}
    return _("Aufräumen der Playlist %(playlist)s fehlgeschlagen: %(reason)s") % {
        "playlist": str(entry.get("step", "")).removeprefix(PLAYLIST_STEP),
        "reason": text,
    }


def step_line(entry: dict[str, Any]) -> str:
    """One takedown step's latest outcome for the publication page, in the reader's language."""
    step = str(entry.get("step", ""))
    name = (
        _("Video")
        if step == VIDEO_STEP
        else _("Playlist %(playlist)s") % {"playlist": step.removeprefix(PLAYLIST_STEP)}
    )
    outcome = entry.get("outcome")
    if outcome == "failed":
        return f"{name}: {step_message(entry)}"
    if outcome == "done":
        text = _("Einträge entfernt: %(count)s") % {"count": entry.get("removed", "?")}
    else:
        text = takedown_outcome_text(str(outcome))
    return f"{name}: {text}"


@dataclass(frozen=True)
class VideoStepResult:
    outcome: str  # private | deleted | gone
    mode: Mode


def video_step(
    *, publication: Publication, youtube: Resource, video_id: str, record: Record
) -> VideoStepResult:
    """The first call: make the video unreachable, and record the outcome.

    Raises what ``make_unreachable`` raises, after recording it as a failed step.
    """
    mode = takedown_mode(publication)
    try:
        outcome = make_unreachable(
            youtube=youtube,
            video_id=video_id,
            mode=mode,
            known_status=dict(publication.metadata.get("status") or {}),
            record_call=record,
        )
    except (YouTubeError, OSError) as error:
        step_record(
            publication_id=publication.pk,
            step=VIDEO_STEP,
            outcome="failed",
            kind=error_kind(error),
            detail=str(error),
        )
        raise
    step_record(publication_id=publication.pk, step=VIDEO_STEP, outcome=outcome)
    return VideoStepResult(outcome=outcome, mode=mode)


def cleanup_steps(
    *, publication: Publication, youtube: Resource, video_id: str, record: Record
) -> list[str]:
    """Take the (private) video out of its playlists; returns the steps that failed.

    Runs only after the video step reached YouTube (private or deleted: a playlist keeps a
    "Deleted video" entry otherwise). A playlist already cleaned is skipped.
    ReconnectRequired is recorded and stops the clean-up (it would fail for every step).
    """
    publication.refresh_from_db()
    if publication.takedown_reached_at is None:
        return []
    done = {
        step for step, entry in step_states(publication).items() if entry.get("outcome") == "done"
    }
    failed: list[str] = []
    for playlist_id in publication.playlists:
        step = PLAYLIST_STEP + str(playlist_id)
        if step in done:
            continue
        try:
            removed = remove_from_playlist(
                youtube=youtube, playlist_id=str(playlist_id), video_id=video_id, record_call=record
            )
        except (YouTubeError, OSError) as error:
            step_record(
                publication_id=publication.pk,
                step=step,
                outcome="failed",
                kind=error_kind(error),
                detail=str(error),
            )
            failed.append(step)
            if isinstance(error, ReconnectRequired):
                break
            continue
        step_record(
            publication_id=publication.pk,
            step=step,
            outcome="done",
            detail=f"{removed} item(s) removed",
            removed=removed,
        )
    return failed


def retry_countdown(retries: int) -> float:
    """Seconds before the next attempt of a takedown run (exponential, capped, jittered)."""
    from .api import backoff_delay

    return backoff_delay(retries + 1, base=RETRY_BASE_SECONDS, cap=RETRY_CAP_SECONDS)


def takedowns_failing() -> list[tuple[Publication, list[dict[str, Any]]]]:
    """Takedowns with a failing step (the video still public, or a clean-up left over)."""
    rows = Publication.objects.filter(
        status__in=[P.TAKEDOWN_REQUESTED, P.TAKEN_DOWN], last_error__startswith="takedown "
    ).select_related("story")
    found = []
    for publication in rows.order_by("takedown_requested_at", "pk"):
        failing = failing_steps(publication)
        if failing:
            found.append((publication, failing))
    return found


def takedown_rerun(*, publication_id: int) -> None:
    """Run a failing takedown again now (the pipeline page's retry); after commit."""
    from kernel.queue import enqueue_on_commit

    publication = Publication.objects.get(pk=publication_id)
    if publication.takedown_reached_at is None:
        Publication.objects.filter(pk=publication_id).update(
            enqueued_at=timezone.now(), resume_at=None
        )
        enqueue_on_commit("workers.tasks.publish.takedown_story", publication.story_id)
    else:
        enqueue_on_commit("workers.tasks.publish.takedown_cleanup", publication_id)


# --- The 15-minute watch --------------------------------------------------------------------
def overdue(now: dt.datetime) -> QuerySet[Publication]:
    """Takedowns requested more than ALERT_AFTER ago that YouTube has not confirmed."""
    return Publication.objects.filter(
        status=P.TAKEDOWN_REQUESTED,
        takedown_reached_at__isnull=True,
        takedown_requested_at__lt=now - ALERT_AFTER,
    ).select_related("story")


def alert_overdue(*, now: dt.datetime | None = None) -> list[int]:
    """E-mail the campaign admins once per takedown that is overdue; returns the ids alerted."""
    from .services import campaign_admin_emails

    moment = now or timezone.now()
    alerted: list[int] = []
    for publication in overdue(moment).filter(takedown_alerted_at__isnull=True):
        with transaction.atomic():
            claimed = Publication.objects.filter(
                pk=publication.pk, takedown_alerted_at__isnull=True
            ).update(takedown_alerted_at=moment)
        if claimed:
            alerted.append(publication.pk)
            _mail_overdue(publication, campaign_admin_emails())
    return alerted


def _mail_overdue(publication: Publication, recipients: list[str]) -> None:
    if not recipients:
        logger.error("takedown of publication %s is overdue; no admin e-mail", publication.pk)
        return
    failing = failing_steps(publication)
    with translation.override(settings.LANGUAGE_CODE):
        reason = failing[0]["message"] if failing else _("Noch kein Versuch hat YouTube erreicht.")
        subject = _("Entfernung von YouTube hängt: %(title)s") % {
            "title": publication.title or publication.story.title
        }
        body = _(
            "Eine Geschichte wurde zurückgezogen oder gesperrt, aber ihr Video ist seit mehr als "
            "15 Minuten nicht privat oder gelöscht.\n\n"
            "Video: https://www.youtube.com/watch?v=%(video)s\n"
            "Grund: %(reason)s\n\n"
            "Bitte stellen Sie das Video in YouTube Studio von Hand auf „Privat“ und prüfen "
            "Sie die Veröffentlichung:\n%(url)s\n"
        ) % {
            "video": publication.video_id or "—",
            "reason": reason,
            "url": f"{settings.SITE_URL}/publishing/publications/{publication.pk}/",
        }
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # a mail outage must not stop the watch; the pages show the failure too
        logger.exception("could not e-mail the admins about overdue takedown %s", publication.pk)
