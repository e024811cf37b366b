"""Partner pages: registration, invitation, the partner area, the kit download area and the
public material page. Views parse, call one service or selector, and render."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stories.uploads.ratelimit import rate_limit_hit
from stories.uploads.services import client_ip_hash

from . import selectors, services
from .forms import ChoicesForm, LogoForm, RegisterForm
from .models import Partner, PartnerKit
from .rendering.layout import WIDE_LOGO_RATIO

LOGIN_URL = "partners:login"


def _partner(request: HttpRequest) -> Partner:
    """The approved organisation of the logged-in account; 403 for anyone else."""
    partner = selectors.partner_for_user(user=request.user)
    if partner is None:
        raise PermissionDenied
    return partner


def _approved_partner(request: HttpRequest) -> Partner:
    partner = _partner(request)
    if partner.status != Partner.Status.APPROVED:
        raise PermissionDenied
    return partner


def _apply_errors(form: Any, exc: ValidationError, field: str | None = None) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(field, message)


# --- Accounts ---------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """An organisation applies; attempts per client address are limited (a logo costs work)."""
    form = RegisterForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        wait = rate_limit_hit(
            scope="partner-register",
            key=client_ip_hash(ip=request.META.get("REMOTE_ADDR", "")),
            rate=settings.PARTNER_REGISTER_RATE,
        )
        if wait is not None:
            form.is_valid()  # parses only; the logo is drawn by the service, not here
            form.add_error(
                None,
                _(
                    "Von Ihrem Anschluss kamen gerade viele Anmeldungen. Bitte versuchen Sie es "
                    "später noch einmal."
                ),
            )
            response = render(request, "partners/register.html", {"form": form}, status=429)
            response["Retry-After"] = str(wait)
            return response
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.partner_register(
                name=data["name"],
                contact_name=data["contact_name"],
                email=data["email"],
                website=data["website"],
                logo=data["logo"],
                languages=data["languages"],
                colour_variant=data["colour_variant"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc, "logo")
        else:
            return redirect("partners:registered")
    return render(request, "partners/register.html", {"form": form})


@require_GET
def registered(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/registered.html")


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = services.invitation_valid(token=token)
    if found is None:
        return render(request, "partners/invitation_invalid.html", status=410)
    user = found.partner.user
    assert user is not None  # an approved partner always has its account
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc, "new_password1")
        else:
            # The password was just set, so the first configured backend vouches for the account.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Ihr Passwort ist gespeichert. Willkommen!"))
            return redirect("partners:area")
    return render(request, "partners/invitation.html", {"form": form, "partner": found.partner})


# --- Partner area -----------------------------------------------------------------------
@login_required(login_url=LOGIN_URL)
@require_GET
def area(request: HttpRequest) -> HttpResponse:
    partner = _partner(request)
    kit = selectors.kit_for_partner(partner=partner)
    return render(
        request,
        "partners/area.html",
        {
            "partner": partner,
            "kit": kit,
            "kit_state": selectors.kit_state(kit=kit) if kit else "",
            "stats": selectors.partner_stats(partner=partner),
            "link": services.kit_inputs(partner=partner).qr_url,
            "choices_form": ChoicesForm(
                initial={"colour_variant": partner.colour_variant, "languages": partner.languages}
            ),
            "logo_form": LogoForm(),
            "has_logo": bool(partner.logo_key),
        },
    )


@login_required(login_url=LOGIN_URL)
@require_POST
def choices(request: HttpRequest) -> HttpResponse:
    partner = _approved_partner(request)
    form = ChoicesForm(request.POST)
    if form.is_valid():
        try:
            services.partner_update_choices(
                partner=partner,
                actor=request.user,
                colour_variant=form.cleaned_data["colour_variant"],
                languages=form.cleaned_data["languages"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Gespeichert. Ihr Material wird neu erstellt, falls sich etwas geändert hat."),
            )
    else:
        messages.error(request, _("Bitte Farbvariante und mindestens eine Sprache wählen."))
    return redirect("partners:area")


@login_required(login_url=LOGIN_URL)
@require_POST
def logo(request: HttpRequest) -> HttpResponse:
    partner = _approved_partner(request)
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            partner = services.partner_set_logo(
                partner=partner, actor=request.user, data=form.cleaned_data["logo"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Das Logo ist gespeichert; Ihr Material wird neu erstellt.")
            )
            ratio = selectors.logo_aspect(partner=partner)
            if ratio is not None and ratio > WIDE_LOGO_RATIO:
                messages.warning(
                    request,
                    _(
                        "Ihr Logo ist sehr breit (%(ratio)s:1) und wird auf vielen Formaten "
                        "nur eine schmale Linie. Eine kompaktere Fassung (höchstens 8:1) "
                        "wirkt besser."
                    )
                    % {"ratio": round(ratio)},
                )
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("logo", [])))
    return redirect("partners:area")


@login_required(login_url=LOGIN_URL)
@require_POST
def logo_remove(request: HttpRequest) -> HttpResponse:
    partner = _approved_partner(request)
    if partner.logo_key:
        services.partner_remove_logo(partner=partner, actor=request.user)
        messages.success(
            request, _("Das Logo ist entfernt; Ihr Material wird mit Ihrem Namen neu erstellt.")
        )
    return redirect("partners:area")


@login_required(login_url=LOGIN_URL)
@require_GET
def kit_page(request: HttpRequest) -> HttpResponse:
    partner = _approved_partner(request)
    kit = selectors.kit_for_partner(partner=partner)
    if kit is None or selectors.kit_retry_due(kit=kit):
        kit = services.kit_request(partner=partner)
    return render(
        request,
        "partners/kit.html",
        {
            "partner": partner,
            "kit": kit,
            "kit_state": selectors.kit_state(kit=kit),
            "groups": selectors.kit_groups(kit=kit)
            if kit.status == PartnerKit.Status.READY
            else [],
            "logo_too_small": kit.manifest.get("logo_too_small", [])
            if kit.status == PartnerKit.Status.READY
            else [],
            "download_url": "partners:download",
            "preview_url": "partners:preview",
            "zip_url": "partners:zip",
        },
    )


def _serve(kit: PartnerKit, path: str, *, as_attachment: bool) -> FileResponse:
    key = f"{kit.storage_prefix}/{path}"
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"  # the kit writes every text file as UTF-8
    response = FileResponse(
        default_storage.open(key, "rb"),
        as_attachment=as_attachment,
        filename=path.rsplit("/", 1)[-1],
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required(login_url=LOGIN_URL)
@require_GET
def download(request: HttpRequest, path: str) -> FileResponse:
    partner = _approved_partner(request)
    kit = selectors.kit_for_partner(partner=partner)
    if kit is None or selectors.kit_file(kit=kit, path=path) is None:
        raise Http404
    services.kit_download_record(kit=kit, partner=partner, user=request.user, asset=path)
    return _serve(kit, path, as_attachment=True)


@login_required(login_url=LOGIN_URL)
@require_GET
def preview(request: HttpRequest, path: str) -> FileResponse:
    partner = _approved_partner(request)
    kit = selectors.kit_for_partner(partner=partner)
    entry = selectors.kit_file(kit=kit, path=path) if kit else None
    if kit is None or entry is None or entry["media_type"] != "image/png":
        raise Http404
    response = _serve(kit, path, as_attachment=False)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required(login_url=LOGIN_URL)
@require_GET
def zip_download(request: HttpRequest) -> FileResponse:
    partner = _approved_partner(request)
    kit = selectors.kit_for_partner(partner=partner)
    if kit is None or kit.status != PartnerKit.Status.READY:
        raise Http404
    services.kit_download_record(kit=kit, partner=partner, user=request.user, asset="ZIP")
    return _serve(kit, kit.zip_key.rsplit("/", 1)[-1], as_attachment=True)


# --- Public material --------------------------------------------------------------------
@require_GET
def material(request: HttpRequest) -> HttpResponse:
    kit = selectors.kit_public()
    if kit is None or selectors.kit_retry_due(kit=kit):
        kit = services.kit_request(partner=None)
    return render(
        request,
        "partners/material.html",
        {
            "kit": kit,
            "kit_state": selectors.kit_state(kit=kit),
            "groups": selectors.kit_groups(kit=kit)
            if kit.status == PartnerKit.Status.READY
            else [],
            "download_url": "partners:material_download",
            "preview_url": "partners:material_preview",
            "zip_url": "partners:material_zip",
        },
    )


def _public_kit() -> PartnerKit:
    kit = selectors.kit_public()
    if kit is None or kit.status != PartnerKit.Status.READY:
        raise Http404
    return kit


@require_GET
def material_download(request: HttpRequest, path: str) -> FileResponse:
    kit = _public_kit()
    if selectors.kit_file(kit=kit, path=path) is None:
        raise Http404
    return _serve(kit, path, as_attachment=True)


@require_GET
def material_preview(request: HttpRequest, path: str) -> FileResponse:
    kit = _public_kit()
    entry = selectors.kit_file(kit=kit, path=path)
    if entry is None or entry["media_type"] != "image/png":
        raise Http404
    response = _serve(kit, path, as_attachment=False)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def material_zip(request: HttpRequest) -> FileResponse:
    kit = _public_kit()
    return _serve(kit, kit.zip_key.rsplit("/", 1)[-1], as_attachment=True)


@require_GET
def banner(request: HttpRequest, slot: str, name: str) -> FileResponse:
    """Banners for the HTML snippet, hot-linked from partner sites; nothing else is served.

    They come from the last generation stored, also while a new one is being made: pages
    that embedded a banner never see it vanish because the partner changed a choice.
    """
    kits = PartnerKit.objects.exclude(storage_prefix="")
    if slot == selectors.PUBLIC_SLOT:
        found = kits.filter(slot=selectors.PUBLIC_SLOT).first()
    else:
        found = kits.filter(partner__ref_code=slot, partner__status=Partner.Status.APPROVED).first()
    if found is None:
        raise Http404
    kit = found
    entry = selectors.kit_banner(kit=kit, name=name)
    if entry is None:
        raise Http404
    response = _serve(kit, entry["path"], as_attachment=False)
    # A banner of a language the kit no longer has is stood in for; look again soon.
    same = entry["path"].rsplit("/", 1)[-1] == name
    response["Cache-Control"] = f"public, max-age={86400 if same else 3600}"
    response["Access-Control-Allow-Origin"] = "*"
    return response
