"""Campaign admins approve registrations, invite organisations and see kits and downloads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from kernel.errors import ApplicationError

from . import services
from .models import KitDownload, Partner, PartnerKit, RefVisit


class InviteForm(forms.Form):
    name = forms.CharField(label=_("Name der Organisation"), max_length=160)
    contact_name = forms.CharField(label=_("Ansprechperson"), max_length=120)
    email = forms.EmailField(label=_("E-Mail"))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "ref_code", "status", "contact_name", "email", "created_at"]
    list_filter = ["status", "colour_variant"]
    search_fields = ["name", "ref_code", "email", "contact_name"]
    readonly_fields = [
        "ref_code",
        "user",
        "logo_key",
        "logo_sha256",
        "created_at",
        "approved_at",
        "approved_by",
        "status",
        "status_changed_at",
    ]
    actions = ["approve", "reject"]
    change_list_template = "admin/partners/partner/change_list.html"

    @admin.action(description=_("Ausgewählte Partner freigeben und einladen"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        for partner in queryset:
            try:
                link = services.partner_approve(partner=partner, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{partner.name}: {exc.message}", messages.WARNING)
            else:
                self.message_user(request, f"{partner.name}: {link}", messages.SUCCESS)

    @admin.action(description=_("Ausgewählte Registrierungen ablehnen"))
    def reject(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        for partner in queryset:
            try:
                services.partner_reject(partner=partner, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{partner.name}: {exc.message}", messages.WARNING)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "invite/",
                self.admin_site.admin_view(self.invite_view),
                name="partners_partner_invite",
            ),
            *super().get_urls(),
        ]

    def invite_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                partner, link = services.partner_invite(actor=request.user, **form.cleaned_data)
            except (ValidationError, ApplicationError) as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"{partner.name}: {link}", messages.SUCCESS)
                return redirect(reverse("admin:partners_partner_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Organisation einladen"),
            "opts": self.model._meta,
        }
        return render(request, "admin/partners/partner/invite.html", context)


@admin.register(PartnerKit)
class PartnerKitAdmin(admin.ModelAdmin):
    list_display = ["slot", "partner", "status", "renders", "attempts", "finished_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in PartnerKit._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(KitDownload)
class KitDownloadAdmin(admin.ModelAdmin):
    list_display = ["downloaded_at", "partner", "asset", "user", "kit_hash"]
    list_filter = ["partner"]
    search_fields = ["asset", "partner__name", "partner__ref_code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RefVisit)
class RefVisitAdmin(admin.ModelAdmin):
    list_display = ["ref_code", "day", "count"]
    search_fields = ["ref_code"]
