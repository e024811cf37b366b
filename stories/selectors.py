"""Reads for stories."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .links import confirm_token_public_id, guardian_token_public_id, status_token_parts
from .models import ConsentText, Story, StoryMedia
from .tokens import token_hash
from .uploads.models import Upload


def story_by_access_token(*, token: str) -> Story | None:
    return Story.objects.filter(access_token_hash=token_hash(token)).first()


def story_by_status_token(*, token: str) -> Story | None:
    """The story behind a status link, unless the link was retired by a newer one."""
    parts = status_token_parts(token)
    if parts is None:
        return None
    public_id, version = parts
    return Story.objects.filter(public_id=public_id, status_link_version=version).first()


def story_by_guardian_token(*, token: str) -> Story | None:
    public_id = guardian_token_public_id(token)
    return Story.objects.filter(public_id=public_id).first() if public_id else None


def story_by_confirm_token(*, token: str) -> Story | None:
    public_id = confirm_token_public_id(token)
    return Story.objects.filter(public_id=public_id).first() if public_id else None


def story_current_media(*, story: Story) -> StoryMedia | None:
    return story.media.filter(is_current=True).first()


def _media_stuck_after(now: datetime) -> dict[str, tuple[str, datetime]]:
    """The one rule for a stuck media job: per state, which moment it is judged by and the
    cutoff. A job nobody works on — waiting far longer than a queue takes, or running longer
    than any worker may (its worker crashed) — must not look "in progress" on any page, and
    the reconciler picks exactly these up again. A missing moment counts from ``created_at``.
    """
    queued = now - timedelta(seconds=settings.JOB_STUCK_AFTER)
    running = now - timedelta(seconds=settings.CELERY_LONGEST_HARD_LIMIT)
    return {
        StoryMedia.State.WAITING: ("enqueued_at", queued),
        StoryMedia.State.PROBING: ("started_at", running),
        StoryMedia.State.TRANSCODING: ("started_at", running),
    }


def media_stuck_q(now: datetime) -> Q:
    """``media_is_stuck`` as a database filter (for the reconciler and counts)."""
    condition = Q(pk__in=[])
    for state, (moment, cutoff) in _media_stuck_after(now).items():
        condition |= Q(state=state, **{f"{moment}__lt": cutoff})
        condition |= Q(state=state, **{f"{moment}__isnull": True}, created_at__lt=cutoff)
    return condition


def media_is_stuck(*, media: StoryMedia, now: datetime | None = None) -> bool:
    """True for a job nobody works on (the rule of ``_media_stuck_after``)."""
    rule = _media_stuck_after(now or timezone.now()).get(media.state)
    if rule is None:
        return False
    moment, cutoff = rule
    return bool((getattr(media, moment) or media.created_at) < cutoff)


def story_status_for_submitter(*, story: Story) -> str:
    """The status in plain words, as the submitter reads it on the status page."""
    S = Story.Status
    words = {
        S.DRAFT: _("Ihre Geschichte ist noch nicht abgeschickt."),
        S.AWAITING_CONFIRMATION: _("Eingegangen. Bitte bestätigen Sie noch Ihre E-Mail-Adresse."),
        S.IN_REVIEW: _("Eingegangen. Unser Team prüft Ihre Geschichte."),
        S.CHANGES_REQUESTED: _("Wir haben eine Frage oder Bitte an Sie."),
        S.APPROVED: _("Freigegeben! Ihre Geschichte wird bald veröffentlicht."),
        S.PUBLISHED: _("Veröffentlicht."),
        S.REJECTED: _("Wir können Ihre Geschichte leider nicht veröffentlichen."),
        S.WITHDRAWN: _(
            "Sie haben Ihre Einwilligung widerrufen. Die Geschichte wird nicht gezeigt."
        ),
        S.TAKEN_DOWN: _("Die Geschichte wurde entfernt."),
        S.ERASED: _("Die Daten wurden gelöscht."),
    }
    return str(words[Story.Status(story.status)])


def consent_text_current(*, purpose: str, language: str) -> ConsentText | None:
    """The newest version of a consent text in ``language``, else the German one."""
    return (
        ConsentText.objects.filter(purpose=purpose, language=language).order_by("-version").first()
        or ConsentText.objects.filter(purpose=purpose, language="de").order_by("-version").first()
    )


def story_latest_upload(*, story: Story) -> Upload | None:
    """The newest tus upload started for the story (finished or not), for the form."""
    return Upload.objects.filter(owner_key=str(story.public_id)).order_by("-created_at").first()


def media_poster_sources(*, media: StoryMedia) -> dict[str, str]:
    """Storage keys of a media row's responsive posters, for ``srcset`` (issue 16).

    Names: ``"<width>.jpg"``/``"<width>.webp"`` for widths 320, 640, 1280 (up to the
    poster's own width) and ``"og.jpg"`` (1200×630 OpenGraph crop). Empty for media
    processed before the variants existed. The keys are private: serve them through a
    permission-checked view, as the poster itself.
    """
    posters = (media.summary or {}).get("posters") or {}
    return {str(name): str(key) for name, key in posters.items() if key}


def media_progress_of(*, story_ids: list[int]) -> dict[int, StoryMedia]:
    """The current video job of each story, for live progress in lists (one query)."""
    rows = StoryMedia.objects.filter(story_id__in=story_ids, is_current=True).only(
        "story_id",
        "state",
        "progress_percent",
        "eta_seconds",
        "enqueued_at",
        "started_at",
        "created_at",
    )
    return {media.story_id: media for media in rows}
