"""Writes for partners and their kits: registration, approval, invitations, choices, logo,
kit requests and generation, download log and visit counts."""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tempfile
import zipfile
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kernel.errors import ConflictError
from kernel.queue import enqueue
from kernel.roles import Role
from stories.audit import audit_record

from .kit import GUIDE_NAME, KitInputs, build_kit, manifest_of
from .models import KIT_LANGUAGES, KitDownload, Partner, PartnerInvitation, PartnerKit, RefVisit
from .rendering import load_templates, logo_normalise
from .selectors import PUBLIC_SLOT

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None
LANGUAGE_CODES = tuple(code for code, _label in KIT_LANGUAGES)
KIT_PREFIX = "partner-kits"


# --- Helpers ----------------------------------------------------------------------------
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def ref_code_new(*, name: str) -> str:
    """A readable, unique reference code such as ``kirche-celle-3f2a``."""
    base = slugify(name)[:30].strip("-") or "partner"
    for _attempt in range(20):
        code = f"{base}-{secrets.token_hex(2)}"
        if not Partner.objects.filter(ref_code=code).exists():
            return code
    return f"{base}-{secrets.token_hex(4)}"


def _clean_languages(languages: list[str]) -> list[str]:
    chosen = [code for code in LANGUAGE_CODES if code in set(languages)]
    if not chosen:
        raise ValidationError({"languages": _("Bitte mindestens eine Sprache wählen.")})
    return chosen


def _clean_variant(variant: str) -> str:
    if variant not in load_templates().palettes:
        raise ValidationError({"colour_variant": _("Diese Farbvariante gibt es nicht.")})
    return variant


def _store_logo(data: bytes) -> tuple[str, str]:
    png = logo_normalise(
        data,
        max_bytes=settings.PARTNER_LOGO_MAX_BYTES,
        max_side=settings.PARTNER_LOGO_MAX_SIDE,
        render_seconds=settings.PARTNER_LOGO_RENDER_SECONDS,
        render_memory_mb=settings.PARTNER_LOGO_RENDER_MEMORY_MB,
    )
    key = default_storage.save(f"partners/logos/{secrets.token_hex(16)}.png", ContentFile(png))
    return key, hashlib.sha256(png).hexdigest()


def _snapshot(partner: Partner) -> dict[str, Any]:
    return {
        "name": partner.name,
        "status": partner.status,
        "colour_variant": partner.colour_variant,
        "languages": list(partner.languages),
        "logo_sha256": partner.logo_sha256,
        "ref_code": partner.ref_code,
    }


# --- Accounts ---------------------------------------------------------------------------
def partner_register(
    *,
    name: str,
    contact_name: str,
    email: str,
    website: str = "",
    logo: bytes | None = None,
    languages: list[str] | None = None,
    colour_variant: str = "blau",
) -> Partner:
    """An organisation applies; a campaign admin approves it later.

    ValidationError for a bad logo, language or colour variant.
    """
    langs = _clean_languages(languages or ["de"])
    variant = _clean_variant(colour_variant)
    logo_key, logo_sha = _store_logo(logo) if logo else ("", "")
    with transaction.atomic():
        partner = Partner.objects.create(
            name=name.strip(),
            contact_name=contact_name.strip(),
            email=email.strip().lower(),
            website=website.strip(),
            ref_code=ref_code_new(name=name),
            logo_key=logo_key,
            logo_sha256=logo_sha,
            languages=langs,
            colour_variant=variant,
        )
        audit_record(
            action="partners.partner.register", actor_fallback="public", after=_snapshot(partner)
        )
    return partner


def _partner_user(partner: Partner) -> User:
    if partner.user_id:
        user = partner.user
        assert user is not None
        return user
    username = partner.email
    user = User.objects.filter(username=username).first()
    if user is None:
        first, _sep, last = partner.contact_name.partition(" ")
        user = User.objects.create_user(
            username=username, email=partner.email, first_name=first, last_name=last
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif Partner.objects.filter(user=user).exclude(pk=partner.pk).exists():
        raise ConflictError(_("Diese E-Mail-Adresse gehört schon zu einer anderen Organisation."))
    group, _created = Group.objects.get_or_create(name=Role.PARTNER.value)
    user.groups.add(group)
    partner.user = user
    return user


def _invitation_create(partner: Partner, actor: Actor) -> str:
    token = secrets.token_urlsafe(32)
    PartnerInvitation.objects.create(
        partner=partner,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + timedelta(days=settings.PARTNER_INVITATION_DAYS),
        created_by=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
    )
    link = settings.SITE_URL + reverse("partners:invitation", args=[token])
    body = render_to_string(
        "partners/email/invitation.txt",
        {"partner": partner, "link": link, "days": settings.PARTNER_INVITATION_DAYS},
    )
    transaction.on_commit(
        partial(
            send_mail,
            f"{settings.CAMPAIGN_NAME}: Ihr Partnerzugang",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [partner.email],
            fail_silently=True,
        )
    )
    return link


@transaction.atomic
def partner_approve(*, partner: Partner, actor: Actor) -> str:
    """Approve a registration and send the contact a link to set a password; returns it.

    ConflictError when the partner is not waiting for approval.
    """
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    if locked.status != Partner.Status.PENDING:
        raise ConflictError(_("Dieser Partner wartet nicht auf Freigabe."))
    before = _snapshot(locked)
    _partner_user(locked)
    locked.status = Partner.Status.APPROVED
    locked.approved_at = locked.status_changed_at = timezone.now()
    locked.approved_by = actor if actor is not None and actor.is_authenticated else None  # type: ignore[assignment]
    locked.save()
    link = _invitation_create(locked, actor)
    audit_record(
        action="partners.partner.approve", actor=actor, before=before, after=_snapshot(locked)
    )
    kit_request(partner=locked)
    return link


@transaction.atomic
def partner_reject(*, partner: Partner, actor: Actor, reason: str = "") -> None:
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    if locked.status != Partner.Status.PENDING:
        raise ConflictError(_("Dieser Partner wartet nicht auf Freigabe."))
    before = _snapshot(locked)
    locked.status = Partner.Status.REJECTED
    locked.status_changed_at = timezone.now()
    locked.decision_reason = reason
    locked.save()
    audit_record(
        action="partners.partner.reject",
        actor=actor,
        comment=reason,
        before=before,
        after=_snapshot(locked),
    )


def partner_invite(
    *,
    name: str,
    contact_name: str,
    email: str,
    actor: Actor,
    website: str = "",
    languages: list[str] | None = None,
) -> tuple[Partner, str]:
    """An admin invites an organisation: approved at once, with a set-password link."""
    with transaction.atomic():
        partner = Partner.objects.create(
            name=name.strip(),
            contact_name=contact_name.strip(),
            email=email.strip().lower(),
            website=website.strip(),
            ref_code=ref_code_new(name=name),
            languages=_clean_languages(languages or ["de"]),
            status=Partner.Status.APPROVED,
            approved_at=timezone.now(),
            approved_by=actor if actor is not None and actor.is_authenticated else None,  # type: ignore[misc]
        )
        _partner_user(partner)
        partner.save()
        link = _invitation_create(partner, actor)
        audit_record(action="partners.partner.invite", actor=actor, after=_snapshot(partner))
        kit_request(partner=partner)
    return partner, link


def invitation_valid(*, token: str) -> PartnerInvitation | None:
    invitation = (
        PartnerInvitation.objects.select_related("partner", "partner__user")
        .filter(token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None or invitation.partner.status != Partner.Status.APPROVED:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the partner account's password with a one-time link.

    ValidationError when the link is used up or expired, or the password is weak.
    """
    invitation = invitation_valid(token=token)
    if invitation is None:
        raise ValidationError(_("Dieser Link ist abgelaufen oder wurde schon benutzt."))
    locked = PartnerInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.used_at is not None:
        raise ValidationError(_("Dieser Link ist abgelaufen oder wurde schon benutzt."))
    user = invitation.partner.user
    assert user is not None
    validate_password(password, user)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    audit_record(action="partners.partner.set_password", actor=user)
    return user


@transaction.atomic
def partner_update_choices(
    *, partner: Partner, actor: Actor, colour_variant: str, languages: list[str]
) -> Partner:
    """Change colour variant and languages; the kit is regenerated if that changes it."""
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    before = _snapshot(locked)
    locked.colour_variant = _clean_variant(colour_variant)
    locked.languages = _clean_languages(languages)
    locked.save(update_fields=["colour_variant", "languages"])
    audit_record(
        action="partners.partner.choices", actor=actor, before=before, after=_snapshot(locked)
    )
    kit_request(partner=locked)
    return locked


def partner_set_logo(*, partner: Partner, actor: Actor, data: bytes) -> Partner:
    """Validate, normalise and store a new logo. ValidationError with a clear message."""
    key, digest = _store_logo(data)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        before = _snapshot(locked)
        locked.logo_key, locked.logo_sha256 = key, digest
        locked.save(update_fields=["logo_key", "logo_sha256"])
        audit_record(
            action="partners.partner.logo", actor=actor, before=before, after=_snapshot(locked)
        )
        kit_request(partner=locked)
    return locked


# --- Kits -------------------------------------------------------------------------------
def kit_inputs(*, partner: Partner | None) -> KitInputs:
    """Everything the kit of ``partner`` (None: the public kit) depends on, right now."""
    site = settings.SITE_URL
    common = {
        "site_url": site,
        "qr_min_px": settings.PARTNER_QR_MIN_PX,
        "qr_min_print_mm": settings.PARTNER_QR_MIN_PRINT_MM,
    }
    if partner is None:
        return KitInputs(
            slot=PUBLIC_SLOT,
            partner_name="",
            ref_code="",
            languages=tuple(_clean_languages(settings.PARTNER_KIT_PUBLIC_LANGUAGES)),
            variant=load_templates().default_palette,
            logo_sha256="",
            banner_base_url=f"{site}/partner/b/{PUBLIC_SLOT}/",
            **common,
        )
    return KitInputs(
        slot=f"p{partner.pk}",
        partner_name=partner.name,
        ref_code=partner.ref_code,
        languages=tuple(partner.languages),
        variant=partner.colour_variant,
        logo_sha256=partner.logo_sha256,
        banner_base_url=f"{site}/partner/b/{partner.ref_code}/",
        **common,
    )


def _enqueue(kit_id: int) -> None:
    enqueue("workers.tasks.kits.generate_kit", kit_id)


@transaction.atomic
def kit_request(*, partner: Partner | None) -> PartnerKit:
    """Make sure the kit reflects the current inputs: enqueue generation only if they changed.

    Same input hash as the ready (or generating) kit → nothing happens.
    """
    inputs = kit_inputs(partner=partner)
    digest = inputs.digest()
    slot = inputs.slot
    try:
        with transaction.atomic():
            kit, _created = PartnerKit.objects.get_or_create(
                slot=slot, defaults={"partner": partner, "status": PartnerKit.Status.STALE}
            )
    except IntegrityError:
        pass
    kit = PartnerKit.objects.select_for_update().get(slot=slot)
    if partner is not None and partner.status != Partner.Status.APPROVED:
        return kit
    if kit.input_hash == digest and kit.status in (
        PartnerKit.Status.READY,
        PartnerKit.Status.GENERATING,
    ):
        return kit
    if (
        kit.input_hash == digest
        and kit.status == PartnerKit.Status.STALE
        and kit.attempts == 0
        and kit.requested_at > timezone.now() - timedelta(minutes=5)
    ):
        return kit  # already queued a moment ago
    kit.status = PartnerKit.Status.STALE
    kit.input_hash = digest
    kit.inputs = {
        "languages": list(inputs.languages),
        "variant": inputs.variant,
        "ref_code": inputs.ref_code,
    }
    kit.requested_at = timezone.now()
    kit.attempts = 0
    kit.failure_reason = ""
    kit.save()
    transaction.on_commit(partial(_enqueue, kit.pk))
    return kit


def _delete_prefix(prefix: str) -> None:
    """Remove an old generation's files through the storage API (local or S3)."""
    try:
        folders, names = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        default_storage.delete(f"{prefix}/{name}")
    for folder in folders:
        _delete_prefix(f"{prefix}/{folder}")


def kit_generate(*, kit_id: int) -> PartnerKit | None:
    """Render the kit's files and ZIP into storage; idempotent.

    Returns quietly when the row is gone or the kit is already ready for its inputs. Files are
    stored under a prefix named by the input hash, so a retried run reuses what a crashed run
    finished. Raises what build_kit raises; the task marks the kit failed.
    """
    with transaction.atomic():
        kit = (
            # Lock the kit row only: PostgreSQL cannot lock the nullable side of the join.
            PartnerKit.objects.select_for_update(of=("self",))
            .select_related("partner")
            .filter(pk=kit_id)
            .first()
        )
        if kit is None:
            return None
        partner = kit.partner
        if kit.slot != PUBLIC_SLOT and (
            partner is None or partner.status != Partner.Status.APPROVED
        ):
            return kit
        inputs = kit_inputs(partner=partner)
        digest = inputs.digest()
        if kit.status == PartnerKit.Status.READY and kit.generated_hash == digest:
            return kit
        kit.status = PartnerKit.Status.GENERATING
        kit.input_hash = digest
        kit.attempts += 1
        kit.started_at = timezone.now()
        kit.save(update_fields=["status", "input_hash", "attempts", "started_at"])

    prefix = f"{KIT_PREFIX}/{inputs.slot}/{digest[:24]}"
    logo_png = None
    if partner is not None and partner.logo_key:
        with default_storage.open(partner.logo_key, "rb") as fh:
            logo_png = fh.read()

    def write(path: str, data: bytes) -> None:
        key = f"{prefix}/{path}"
        if default_storage.exists(key):
            default_storage.delete(key)
        default_storage.save(key, ContentFile(data))

    result = build_kit(inputs, logo_png=logo_png, write=write, threads=settings.PARTNER_KIT_THREADS)
    zip_name = f"zusammen-mehr-kit-{inputs.ref_code or 'material'}.zip"
    zip_key = f"{prefix}/{zip_name}"
    zip_bytes = _write_zip(prefix, zip_key, [f.path for f in result.files if f.kind != "preview"])
    manifest = manifest_of(result)
    for warning in result.warnings:
        logger.warning("kit %s: %s", inputs.slot, warning)
    logger.info(
        "kit %s rendered %d files in %.2fs", inputs.slot, len(result.files), result.timings["total"]
    )

    with transaction.atomic():
        kit = PartnerKit.objects.select_for_update().get(pk=kit_id)
        if kit.input_hash != digest:
            return kit  # inputs changed meanwhile; the request that changed them re-queued
        old_prefix = kit.storage_prefix
        kit.status = PartnerKit.Status.READY
        kit.generated_hash = digest
        kit.storage_prefix = prefix
        kit.zip_key = zip_key
        kit.zip_bytes = zip_bytes
        kit.manifest = manifest
        kit.finished_at = timezone.now()
        kit.renders += 1
        kit.failure_reason = ""
        kit.save()
        if partner is not None:
            audit_record(
                action="partners.kit.ready",
                actor_fallback="worker",
                after={
                    "partner": partner.ref_code,
                    "hash": digest[:16],
                    "files": len(result.files),
                    "warnings": len(result.warnings),
                },
            )
    if old_prefix and old_prefix != prefix:
        transaction.on_commit(partial(_delete_prefix, old_prefix))
    return kit


def _write_zip(prefix: str, zip_key: str, paths: list[str]) -> int:
    """Stream every file into one ZIP on disk, then hand it to storage."""
    work = settings.MEDIA_WORK_DIR
    os.makedirs(work, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=work, suffix=".zip", delete=False) as tmp:
        tmp_path = tmp.name
    try:
        with zipfile.ZipFile(tmp_path, "w") as archive:
            for path in sorted(paths, key=lambda p: (p != GUIDE_NAME, p)):
                compress = (
                    zipfile.ZIP_DEFLATED if path.endswith((".txt", ".html")) else zipfile.ZIP_STORED
                )
                info = zipfile.ZipInfo(path, date_time=(2025, 1, 1, 0, 0, 0))
                info.compress_type = compress
                with (
                    default_storage.open(f"{prefix}/{path}", "rb") as src,
                    archive.open(info, "w") as dst,
                ):
                    while chunk := src.read(1024 * 1024):
                        dst.write(chunk)
        if default_storage.exists(zip_key):
            default_storage.delete(zip_key)
        with open(tmp_path, "rb") as fh:
            default_storage.save(zip_key, File(fh))
        return os.path.getsize(tmp_path)
    finally:
        os.unlink(tmp_path)


@transaction.atomic
def kit_mark_failed(*, kit_id: int, reason: str) -> None:
    kit = PartnerKit.objects.select_for_update().filter(pk=kit_id).first()
    if kit is None or kit.status == PartnerKit.Status.READY:
        return
    kit.status = PartnerKit.Status.FAILED
    kit.failure_reason = reason[:2000]
    kit.finished_at = timezone.now()
    kit.save(update_fields=["status", "failure_reason", "finished_at"])


def kit_download_record(
    *, kit: PartnerKit, partner: Partner, user: Actor, asset: str
) -> KitDownload:
    """Log one download (append-only), so the campaign knows who holds which material."""
    return KitDownload.objects.create(
        kit=kit,
        partner=partner,
        asset=asset,
        kit_hash=kit.generated_hash,
        user=user if user is not None and user.is_authenticated else None,  # type: ignore[misc]
    )


# --- Attribution ------------------------------------------------------------------------
def ref_visit_record(*, ref: str) -> bool:
    """Count a visit of the form through a partner's link; unknown codes are ignored."""
    ref = ref.strip()[:40]
    if not ref or not Partner.objects.filter(ref_code=ref, status=Partner.Status.APPROVED).exists():
        return False
    today = timezone.localdate()
    updated = RefVisit.objects.filter(ref_code=ref, day=today).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RefVisit.objects.create(ref_code=ref, day=today, count=1)
        except IntegrityError:
            RefVisit.objects.filter(ref_code=ref, day=today).update(count=F("count") + 1)
    return True
