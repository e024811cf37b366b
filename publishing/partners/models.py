"""Partner organisations, their invitations, kits, kit downloads and visit counts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stories.models import AppendOnlyModel

KIT_LANGUAGES = (
    ("de", "Deutsch"),
    ("en", "English"),
    ("ar", "العربية"),
    ("fa", "فارسی"),
    ("uk", "Українська"),
    ("tr", "Türkçe"),
)


class Partner(models.Model):
    """An organisation that spreads the call: registered (then approved) or invited."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Wartet auf Freigabe")
        APPROVED = "approved", _("Freigegeben")
        REJECTED = "rejected", _("Abgelehnt")

    name = models.CharField(_("Name der Organisation"), max_length=160)
    contact_name = models.CharField(_("Ansprechperson"), max_length=120)
    email = models.EmailField(_("E-Mail"))
    website = models.URLField(_("Website"), blank=True)
    ref_code = models.SlugField(_("Referenzcode"), max_length=40, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner",
    )
    # The validated, normalised logo (PNG) under a random storage key.
    logo_key = models.CharField(max_length=255, blank=True)
    logo_sha256 = models.CharField(max_length=64, blank=True)
    colour_variant = models.CharField(_("Farbvariante"), max_length=32, default="blau")
    languages = models.JSONField(_("Sprachen"), default=list)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Partner")
        verbose_name_plural = _("Partner")

    def __str__(self) -> str:
        return f"{self.name} ({self.ref_code})"


class PartnerInvitation(models.Model):
    """A one-time link that lets the partner's contact set a password."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"invitation {self.pk} for {self.partner_id}"


class PartnerKit(models.Model):
    """The generated material of one partner (or the public, un-branded kit, partner=None).

    stale → generating → ready | failed; ``input_hash`` is the hash of the inputs the kit
    must reflect, ``generated_hash`` the hash of the inputs its stored files were made from.
    """

    class Status(models.TextChoices):
        STALE = "stale", _("Wird vorbereitet")
        GENERATING = "generating", _("Wird erstellt")
        READY = "ready", _("Fertig")
        FAILED = "failed", _("Fehlgeschlagen")

    slot = models.CharField(max_length=64, unique=True)
    partner = models.OneToOneField(
        Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="kit"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.STALE)
    input_hash = models.CharField(max_length=64, blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    generated_hash = models.CharField(max_length=64, blank=True)
    storage_prefix = models.CharField(max_length=255, blank=True)
    zip_key = models.CharField(max_length=255, blank=True)
    zip_bytes = models.PositiveBigIntegerField(default=0)
    manifest = models.JSONField(default=dict, blank=True)
    failure_reason = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    renders = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Kampagnenpaket")
        verbose_name_plural = _("Kampagnenpakete")

    def __str__(self) -> str:
        return f"kit {self.slot}: {self.status}"


class KitDownload(AppendOnlyModel):
    """Who downloaded which file of which kit generation, for withdrawals of consent."""

    kit = models.ForeignKey(PartnerKit, on_delete=models.PROTECT, related_name="downloads")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    asset = models.CharField(max_length=255)
    kit_hash = models.CharField(max_length=64)
    downloaded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-downloaded_at"]
        verbose_name = _("Download")
        verbose_name_plural = _("Downloads")

    def __str__(self) -> str:
        return f"{self.partner_id} {self.asset}"


class RefVisit(models.Model):
    """Visits of /mitmachen/?ref=<code> per partner code and day."""

    ref_code = models.CharField(max_length=40)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ref_code", "day"], name="one_visit_row_per_ref_day")
        ]

    def __str__(self) -> str:
        return f"{self.ref_code} {self.day}: {self.count}"
