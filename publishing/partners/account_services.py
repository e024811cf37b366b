"""Writes for partner organisations: registration, approval, invitations, their choices
and their logo. Every change that affects the material asks for the kit again."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kernel.errors import ConflictError
from kernel.roles import Role
from stories.audit import audit_record

from .kit_services import clean_languages, kit_request
from .models import Partner, PartnerInvitation
from .rendering import load_templates, logo_normalise

Actor = AbstractBaseUser | AnonymousUser | None


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
    langs = clean_languages(languages or ["de"])
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
            languages=clean_languages(languages or ["de"]),
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
    locked.languages = clean_languages(languages)
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


def partner_remove_logo(*, partner: Partner, actor: Actor) -> Partner:
    """Take the logo off the material (its name stands there instead); the kit is made again.

    The stored file is deleted once the change is committed; no logo is a no-op.
    """
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if not locked.logo_key:
            return locked
        before = _snapshot(locked)
        old_key = locked.logo_key
        locked.logo_key, locked.logo_sha256 = "", ""
        locked.save(update_fields=["logo_key", "logo_sha256"])
        audit_record(
            action="partners.partner.logo_remove",
            actor=actor,
            before=before,
            after=_snapshot(locked),
        )
        kit_request(partner=locked)
        transaction.on_commit(partial(default_storage.delete, old_key))
    return locked
