"""Writes of the public side: accessibility feedback, and telling partners of a withdrawal."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kernel.cache import public_content_changed
from kernel.queue import enqueue_on_commit
from publishing.partners.models import KitDownload, Partner, PartnerKit
from publishing.youtube.models import Publication
from stories.audit import audit_record
from stories.links import absolute
from stories.models import AuditEntry, Story

from .models import AccessibilityFeedback, StoryPick

logger = logging.getLogger(__name__)

CAMPAIGN_ADMIN_GROUP = "campaign_admin"  # kernel.roles.Role.CAMPAIGN_ADMIN
NOTIFIED_ACTION = "gallery.partners.withdrawal_notified"
# Stories whose partners hear of it: the submitter withdrew, or the person's data was erased.
GONE_FOR_PARTNERS = (Story.Status.WITHDRAWN, Story.Status.ERASED)


# --- Accessibility feedback ---------------------------------------------------------------
def accessibility_feedback_submit(
    *, message: str, page_url: str = "", name: str = "", email: str = "", language: str = "de"
) -> AccessibilityFeedback:
    """Store a reported barrier and e-mail it to the campaign admins after commit.

    Raises ``ValidationError`` for an empty or overlong message.
    """
    message = message.replace("\r\n", "\n").strip()
    if not message:
        raise ValidationError({"message": [_("Bitte beschreiben Sie die Barriere.")]})
    if len(message) > 5000:
        raise ValidationError({"message": [_("Höchstens %(n)d Zeichen.") % {"n": 5000}]})
    with transaction.atomic():
        feedback = AccessibilityFeedback.objects.create(
            message=message,
            page_url=page_url.strip()[:500],
            name=name.strip()[:120],
            email=email.strip()[:254],
            language=language[:8],
        )
        # Redis down: the row is stored; the retention sweep mails it later.
        enqueue_on_commit("workers.tasks.retention.send_accessibility_feedback", feedback.pk)
    return feedback


def campaign_admin_emails() -> list[str]:
    User = get_user_model()
    return sorted(
        set(
            User.objects.filter(
                Q(groups__name=CAMPAIGN_ADMIN_GROUP) | Q(is_superuser=True), is_active=True
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def accessibility_feedback_mail(*, feedback_id: int) -> bool:
    """E-mail one feedback to the campaign admins once; False when done already or nobody."""
    with transaction.atomic():
        feedback = (
            AccessibilityFeedback.objects.select_for_update()
            .filter(pk=feedback_id, emailed_at__isnull=True)
            .first()
        )
        if feedback is None:
            return False
        recipients = campaign_admin_emails()
        if not recipients:
            logger.warning(
                "accessibility feedback %s: no campaign admin has an e-mail", feedback_id
            )
            return False
        with translation.override("de"):
            context = {"feedback": feedback, "admin_url": absolute("/admin/gallery/")}
            subject = render_to_string("gallery/email/feedback_subject.txt", context).strip()
            body = render_to_string("gallery/email/feedback_body.txt", context)
        send_mail(subject, body, None, recipients)
        feedback.emailed_at = timezone.now()
        feedback.save(update_fields=["emailed_at"])
    return True


def accessibility_feedback_unsent() -> list[int]:
    """Feedback stored but not mailed (broker was down), older than a minute."""
    limit = timezone.now() - timedelta(minutes=1)
    return list(
        AccessibilityFeedback.objects.filter(emailed_at__isnull=True, created_at__lt=limit)
        .order_by("created_at")
        .values_list("pk", flat=True)[:100]
    )


def accessibility_feedback_expire(*, now: datetime | None = None) -> int:
    """Delete feedback older than GALLERY_FEEDBACK_RETENTION_DAYS; returns how many."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.GALLERY_FEEDBACK_RETENTION_DAYS)
    count, _rows = AccessibilityFeedback.objects.filter(created_at__lt=limit).delete()
    return count


# --- Withdrawal: partners who hold material -----------------------------------------------
@dataclass
class PartnerNotice:
    story_id: int
    basis: str  # "story_assets" or "any_download_since_publication"
    partner_ids: list[int] = field(default_factory=list)


def _published_at(story: Story) -> datetime | None:
    """When the story went public: its publication, else the audit entry that published it."""
    published = (
        Publication.objects.filter(story_id=story.pk, published_at__isnull=False)
        .values_list("published_at", flat=True)
        .first()
    )
    if published:
        return published
    return (
        AuditEntry.objects.filter(story_id=story.pk, action="publishing.story.published")
        .values_list("created_at", flat=True)
        .first()
    )


def _story_assets(story: Story) -> dict[int, set[str]]:
    """Kit files that feature the story: manifest entries naming its public id in
    ``stories``. The kit has no such assets yet; when it gets them, this finds them.
    """
    public_id = str(story.public_id)
    assets: dict[int, set[str]] = {}
    for kit in PartnerKit.objects.exclude(manifest={}).only("pk", "manifest"):
        for entry in kit.manifest.get("files", []):
            if public_id in (entry.get("stories") or []):
                assets.setdefault(kit.pk, set()).add(str(entry.get("path", "")))
    return assets


def partners_holding_story_material(*, story: Story) -> PartnerNotice:
    """Partners who downloaded material featuring the story.

    When no kit file features a story specifically (today's kit is campaign material only),
    every partner that downloaded anything since the story was published is named, since
    they may have used the story alongside the material.
    """
    assets = _story_assets(story)
    downloads = KitDownload.objects.all()
    if assets:
        match = Q()
        for kit_id, paths in assets.items():
            match |= Q(kit_id=kit_id, asset__in=paths)
        downloads = downloads.filter(match)
        basis = "story_assets"
    else:
        since = _published_at(story)
        if since is None:
            return PartnerNotice(story_id=story.pk, basis="never_published")
        downloads = downloads.filter(downloaded_at__gte=since)
        basis = "any_download_since_publication"
    partner_ids = sorted(set(downloads.values_list("partner_id", flat=True)))
    return PartnerNotice(story_id=story.pk, basis=basis, partner_ids=partner_ids)


def withdrawal_notify_partners(*, story_id: int) -> PartnerNotice | None:
    """E-mail each partner holding material of a withdrawn story; once per story, audited.

    Returns None when the story is gone, still public or already handled. A failing mail
    server raises (the task retries); partners mailed before the failure hear it twice.
    """
    story = Story.objects.filter(pk=story_id).first()
    if story is None or story.status not in GONE_FOR_PARTNERS:
        return None
    if AuditEntry.objects.filter(story_id=story_id, action=NOTIFIED_ACTION).exists():
        return None
    notice = partners_holding_story_material(story=story)
    partners = list(Partner.objects.filter(pk__in=notice.partner_ids).exclude(email=""))
    # The title is withheld once the person's data is erased; the id still identifies it.
    title = story.title if story.status == Story.Status.WITHDRAWN else ""
    for partner in partners:
        language = next(
            (code for code in partner.languages if code in dict(settings.LANGUAGES)), "de"
        )
        with translation.override(language):
            context = {
                "partner": partner,
                "title": title,
                "public_id": story.public_id,
                "material_url": absolute("/partner/kit/"),
                "basis": notice.basis,
                "CAMPAIGN_NAME": settings.CAMPAIGN_NAME,
            }
            subject = render_to_string("gallery/email/withdrawal_subject.txt", context).strip()
            body = render_to_string("gallery/email/withdrawal_body.txt", context)
        send_mail(subject, body, None, [partner.email])
    with transaction.atomic():
        locked = Story.objects.select_for_update().get(pk=story_id)
        if AuditEntry.objects.filter(story_id=story_id, action=NOTIFIED_ACTION).exists():
            return notice
        audit_record(
            action=NOTIFIED_ACTION,
            story=locked,
            actor_fallback="system",
            after={"partners": [p.pk for p in partners], "basis": notice.basis},
        )
    logger.info(
        "story %s withdrawn: %d partner(s) notified (%s)", story_id, len(partners), notice.basis
    )
    return notice


def withdrawal_pending_notices() -> list[int]:
    """Withdrawn or erased stories that were published and whose partners were not told."""
    published = AuditEntry.objects.filter(action="publishing.story.published").values("story_id")
    notified = AuditEntry.objects.filter(action=NOTIFIED_ACTION).values("story_id")
    return list(
        Story.objects.filter(status__in=GONE_FOR_PARTNERS, pk__in=published)
        .exclude(pk__in=notified)
        .values_list("pk", flat=True)[:200]
    )


# --- Picks for the home page --------------------------------------------------------------
def story_pick(*, story: Story, by: AbstractBaseUser | None = None) -> StoryPick:
    """Put a published story on the home page; picking it again keeps the first pick.

    Raises ``ValidationError`` for a story that is not published.
    """
    if story.status != Story.Status.PUBLISHED:
        raise ValidationError(_("Nur veröffentlichte Geschichten können ausgewählt werden."))
    user: Any = by if by is not None and by.pk else None
    with transaction.atomic():
        pick, created = StoryPick.objects.get_or_create(story=story, defaults={"picked_by": user})
        if created:
            audit_record(action="gallery.story.pick", story=story, actor=user)
            transaction.on_commit(public_content_changed)
    return pick


def story_unpick(*, story: Story, by: AbstractBaseUser | None = None) -> bool:
    """Take a story off the home page; False when it was not picked."""
    user = by if by is not None and by.pk else None
    with transaction.atomic():
        deleted, _rows = StoryPick.objects.filter(story=story).delete()
        if deleted:
            audit_record(action="gallery.story.unpick", story=story, actor=user)
            transaction.on_commit(public_content_changed)
    return bool(deleted)
