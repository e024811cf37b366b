"""Reads for partners, kits and attribution."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.storage import default_storage
from django.db.models import Q, Sum
from django.utils import timezone
from PIL import Image

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
    """Visitors through the partner's link, stories sent with its code whose sender confirmed
    the e-mail address (the double opt-in), and how many of them are live."""
    visits = RefVisit.objects.filter(ref_code=partner.ref_code).aggregate(n=Sum("count"))["n"]
    stories = Story.objects.filter(
        partner_ref=partner.ref_code,
        submitted_at__isnull=False,
        email_confirmed_at__isnull=False,
    )
    return {
        "visits": int(visits or 0),
        "stories": stories.count(),
        "published": stories.filter(status=Story.Status.PUBLISHED).count(),
    }


def kit_for_partner(*, partner: Partner) -> PartnerKit | None:
    return PartnerKit.objects.filter(partner=partner).first()


def _stuck_limit(now: datetime | None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=settings.JOB_STUCK_AFTER)


def kit_stuck_q(*, now: datetime | None = None) -> Q:
    """The one rule for "nobody works on this kit" (reconciler, pipeline page, kit page).

    Queued (stale) longer than ``JOB_STUCK_AFTER`` ago: the message was lost. Generating
    with a start older than that, or with no start at all: the worker died.
    """
    limit = _stuck_limit(now)
    waiting = Q(status=PartnerKit.Status.STALE, requested_at__lt=limit)
    running = Q(status=PartnerKit.Status.GENERATING) & (
        Q(started_at__isnull=True) | Q(started_at__lt=limit)
    )
    return waiting | running


def kit_is_stuck(*, kit: PartnerKit, now: datetime | None = None) -> bool:
    """``kit_stuck_q`` for one row already in memory."""
    limit = _stuck_limit(now)
    if kit.status == PartnerKit.Status.STALE:
        return kit.requested_at < limit
    if kit.status == PartnerKit.Status.GENERATING:
        return kit.started_at is None or kit.started_at < limit
    return False


def kit_find_stuck(*, now: datetime | None = None) -> list[int]:
    return list(PartnerKit.objects.filter(kit_stuck_q(now=now)).values_list("pk", flat=True))


def kit_state(*, kit: PartnerKit, now: datetime | None = None) -> str:
    """What a page says about the kit: ``ready``, ``working`` or ``failed``.

    A stuck kit (``kit_stuck_q``: a lost message, a dead worker) reads as failed, never as
    "being made" forever.
    """
    if kit.status == PartnerKit.Status.READY:
        return "ready"
    if kit.status == PartnerKit.Status.FAILED:
        return "failed"
    return "failed" if kit_is_stuck(kit=kit, now=now) else "working"


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


BANNER_NAME = re.compile(r"zm-(?P<asset>[a-z0-9-]+?)-(?P<lang>[a-z]{2})(?P<rest>(?:@\d+x)?\.\w+)")


def kit_banner(*, kit: PartnerKit, name: str) -> dict[str, Any] | None:
    """The banner file ``name`` (as the HTML snippet links it) of the ready kit.

    A banner of a language the partner has since removed still answers, with the same
    banner in the kit's first language (German when it has German): pages that embedded it
    keep working.
    """
    banners = {
        entry["path"].rsplit("/", 1)[-1]: entry
        for entry in kit_files(kit=kit)
        if entry["kind"] == "banner"
    }
    if name in banners:
        return banners[name]
    match = BANNER_NAME.fullmatch(name)
    if match is None:
        return None
    languages = list(kit.inputs.get("languages", []))
    for language in sorted(languages, key=lambda code: code != "de"):
        stand_in = f"zm-{match['asset']}-{language}{match['rest']}"
        if stand_in in banners:
            return banners[stand_in]
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


def logo_aspect(*, partner: Partner) -> float | None:
    """Width to height of the partner's stored logo; None without one."""
    if not partner.logo_key:
        return None
    with default_storage.open(partner.logo_key, "rb") as fh, Image.open(fh) as image:
        return image.width / image.height
