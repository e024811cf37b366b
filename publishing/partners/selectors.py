"""Reads for partners, kits and attribution."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Sum
from django.utils import timezone

from kernel.roles import Role
from stories.models import Story

from .models import KitDownload, Partner, PartnerKit, RefVisit

PUBLIC_SLOT = "public"


def partner_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Partner | None:
    """The organisation this account acts for, if any."""
    if not user.is_authenticated:
        return None
    return Partner.objects.filter(user_id=user.pk).first()


def user_is_partner(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    groups = getattr(user, "groups", None)
    return bool(
        user.is_authenticated
        and groups is not None
        and groups.filter(name=Role.PARTNER.value).exists()
    )


def partner_stats(*, partner: Partner) -> dict[str, int]:
    """Visits through the partner's link, stories sent with its code, and how many are live."""
    visits = RefVisit.objects.filter(ref_code=partner.ref_code).aggregate(n=Sum("count"))["n"]
    stories = Story.objects.filter(partner_ref=partner.ref_code, submitted_at__isnull=False)
    return {
        "visits": int(visits or 0),
        "stories": stories.count(),
        "published": stories.filter(status=Story.Status.PUBLISHED).count(),
    }


def kit_for_partner(*, partner: Partner) -> PartnerKit | None:
    return PartnerKit.objects.filter(partner=partner).first()


def kit_state(*, kit: PartnerKit, now: datetime | None = None) -> str:
    """What a page says about the kit: ``ready``, ``working`` or ``failed``.

    A kit asked for or started longer ago than ``JOB_STUCK_AFTER`` has nobody working on it
    (a lost message, a dead worker): it reads as failed, never as "being made" forever.
    """
    if kit.status == PartnerKit.Status.READY:
        return "ready"
    if kit.status == PartnerKit.Status.FAILED:
        return "failed"
    limit = (now or timezone.now()) - timedelta(seconds=settings.JOB_STUCK_AFTER)
    since = kit.started_at if kit.status == PartnerKit.Status.GENERATING else kit.requested_at
    return "failed" if since is not None and since < limit else "working"


def kit_retry_due(*, kit: PartnerKit, now: datetime | None = None) -> bool:
    """A failed kit is asked for again by its page, but only once ``KIT_RETRY_AFTER`` passed:
    until then the page says it failed (and when it will be tried again)."""
    if kit.status != PartnerKit.Status.FAILED:
        return False
    failed_at = kit.finished_at or kit.requested_at
    return failed_at < (now or timezone.now()) - timedelta(seconds=settings.KIT_RETRY_AFTER)


def kit_public() -> PartnerKit | None:
    return PartnerKit.objects.filter(slot=PUBLIC_SLOT).first()


def kit_files(*, kit: PartnerKit, include_previews: bool = False) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = list(kit.manifest.get("files", []))
    if include_previews:
        return files
    return [f for f in files if f.get("kind") != "preview"]


def kit_file(*, kit: PartnerKit, path: str) -> dict[str, Any] | None:
    """The manifest entry for ``path`` when the ready kit has it (nothing else is served)."""
    if kit.status != PartnerKit.Status.READY:
        return None
    for entry in kit_files(kit=kit, include_previews=True):
        if entry["path"] == path:
            return entry
    return None


def kit_groups(*, kit: PartnerKit) -> list[dict[str, Any]]:
    """Files grouped by language and kind, in the order the download page shows them."""
    order = {"banner": 0, "social": 1, "print": 2, "text": 3}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for entry in kit_files(kit=kit):
        if entry["kind"] in order:
            groups.setdefault((entry["language"], entry["kind"]), []).append(entry)
    languages = list(kit.inputs.get("languages", []))
    return [
        {"language": lang, "kind": kind, "files": files}
        for (lang, kind), files in sorted(
            groups.items(),
            key=lambda item: (
                languages.index(item[0][0]) if item[0][0] in languages else 99,
                order[item[0][1]],
            ),
        )
    ]


def downloads_of_partner(*, partner: Partner) -> list[KitDownload]:
    return list(KitDownload.objects.filter(partner=partner).order_by("-downloaded_at")[:50])
