"""Writes for kits: what a kit depends on, asking for it, rendering it into storage, the
ZIP, failures, retries and the download log. Status changes go through
``lifecycle.kit_transition``."""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.queue import enqueue

from .kit import GUIDE_NAME, KitInputs, build_kit, manifest_of
from .lifecycle import kit_transition
from .models import KIT_LANGUAGES, KitDownload, Partner, PartnerKit
from .rendering import load_templates
from .selectors import PUBLIC_SLOT, kit_is_stuck

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | AnonymousUser | None
LANGUAGE_CODES = tuple(code for code, _label in KIT_LANGUAGES)
KIT_PREFIX = "partner-kits"


def clean_languages(languages: list[str]) -> list[str]:
    chosen = [code for code in LANGUAGE_CODES if code in set(languages)]
    if not chosen:
        raise ValidationError({"languages": _("Bitte mindestens eine Sprache wählen.")})
    return chosen


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
            languages=tuple(clean_languages(settings.PARTNER_KIT_PUBLIC_LANGUAGES)),
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
                slot=slot, defaults={"partner": partner}
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
    kit = kit_transition(
        kit_id=kit.pk,
        to=PartnerKit.Status.STALE,
        action="partners.kit.request",
        actor_fallback="system",
        changes={
            "input_hash": digest,
            "inputs": {
                "languages": list(inputs.languages),
                "variant": inputs.variant,
                "ref_code": inputs.ref_code,
            },
            "requested_at": timezone.now(),
            "attempts": 0,
            "failure_reason": "",
        },
    )
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
        kit_transition(
            kit_id=kit.pk,
            to=PartnerKit.Status.GENERATING,
            action="partners.kit.generate",
            changes={
                "input_hash": digest,
                "attempts": kit.attempts + 1,
                "started_at": timezone.now(),
            },
        )

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
        if kit.input_hash != digest or (
            kit.status == PartnerKit.Status.READY and kit.generated_hash == digest
        ):
            # inputs changed meanwhile (the request that changed them re-queued), or another
            # run of the same inputs finished first
            return kit
        old_prefix = kit.storage_prefix
        kit = kit_transition(
            kit_id=kit_id,
            to=PartnerKit.Status.READY,
            action="partners.kit.ready",
            changes={
                "generated_hash": digest,
                "storage_prefix": prefix,
                "zip_key": zip_key,
                "zip_bytes": zip_bytes,
                "manifest": manifest,
                "finished_at": timezone.now(),
                "renders": kit.renders + 1,
                "failure_reason": "",
            },
            comment=f"{len(result.files)} files, {len(result.warnings)} warnings",
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
    """The run gave up: the kit reads as failed with ``reason`` (a ready kit stays ready)."""
    kit = PartnerKit.objects.select_for_update().filter(pk=kit_id).first()
    if kit is None or kit.status == PartnerKit.Status.READY:
        return
    kit_transition(
        kit_id=kit_id,
        to=PartnerKit.Status.FAILED,
        action="partners.kit.fail",
        changes={"failure_reason": reason[:2000], "finished_at": timezone.now()},
    )


@transaction.atomic
def kit_retry(*, kit_id: int, actor: Actor) -> PartnerKit:
    """Ask again for a failed or stuck kit (the pipeline page's retry).

    A kit stuck in generating (its worker died) is first failed on the record, so the
    request does not take it for a run still in progress.
    """
    kit = (
        PartnerKit.objects.select_for_update(of=("self",)).select_related("partner").get(pk=kit_id)
    )
    if kit.status == PartnerKit.Status.GENERATING and kit_is_stuck(kit=kit):
        kit_transition(
            kit_id=kit_id,
            to=PartnerKit.Status.FAILED,
            action="partners.kit.fail",
            actor=actor,
            changes={
                "failure_reason": _("Abgebrochen: kein Worker arbeitete mehr daran."),
                "finished_at": timezone.now(),
            },
        )
    return kit_request(partner=kit.partner)


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
